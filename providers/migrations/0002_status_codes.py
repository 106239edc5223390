from django.db import migrations

from providers.onegaming import codes as onegaming_codes
from providers.oppi import codes as oppi_codes


def load_status_codes(apps, schema_editor):
    StatusCode = apps.get_model("providers", "StatusCode")
    for provider, module, ok in (("onegaming", onegaming_codes, "OK"), ("oppi", oppi_codes, "RS_OK")):
        for status, description in module.DESCRIPTIONS.items():
            StatusCode.objects.update_or_create(
                provider=provider, code=str(status), defaults={"description": description, "is_success": status == ok}
            )


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]

    operations = [migrations.RunPython(load_status_codes, migrations.RunPython.noop)]
