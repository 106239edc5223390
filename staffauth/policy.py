"""Who must use two-factor sign-in, and what a staff user's TOTP state is."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_required(user) -> bool:
    """With settings.STAFF_OTP_REQUIRED: superusers and members of STAFF_OTP_REQUIRED_GROUPS."""
    if not settings.STAFF_OTP_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=settings.STAFF_OTP_REQUIRED_GROUPS).exists()
