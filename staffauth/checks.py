"""Deploy checks for staff sign-in (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def staff_otp_required_check(app_configs, **kwargs):
    """Staff two-factor is on by default with DEBUG off; turning it off there is a warning."""
    if getattr(settings, "STAFF_OTP_REQUIRED", False):
        return []
    return [Warning(
        "STAFF_OTP_REQUIRED is off: superusers and finance staff can use the admin (and move money) "
        "with a password alone.",
        hint="Leave STAFF_OTP_REQUIRED unset (on with DEBUG off) or set it to true.",
        id="staffauth.W001",
    )]
