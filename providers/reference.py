"""Every installed provider's status-code catalogue, as the data migration and the tests load it."""

from core.registry import registrations


def status_codes_load(status_code_model) -> None:
    for registration in registrations(accounts_only=True):
        for status, description in registration.status_codes.items():
            status_code_model.objects.update_or_create(
                provider=registration.name, code=str(status),
                defaults={"description": description, "is_success": str(status) in registration.success_codes},
            )
