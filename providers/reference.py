"""Both providers' status-code catalogues, as the data migration and the tests load them."""

from providers.onegaming import codes as onegaming_codes
from providers.oppi import codes as oppi_codes


def status_codes_load(status_code_model) -> None:
    for provider, module, ok in (("onegaming", onegaming_codes, "OK"), ("oppi", oppi_codes, "RS_OK")):
        for status, description in module.DESCRIPTIONS.items():
            status_code_model.objects.update_or_create(
                provider=provider, code=str(status), defaults={"description": description, "is_success": status == ok}
            )
