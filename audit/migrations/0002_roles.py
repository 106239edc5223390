from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from audit.roles import roles_sync

    # Permissions are normally created after all migrations ran; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    roles_sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("providers", "0002_status_codes"),
        ("lobby", "0003_onegaming_catalogue"),
        ("wallet", "0003_wallet_and_system_account_proxies"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
