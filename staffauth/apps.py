from django.apps import AppConfig


class StaffAuthConfig(AppConfig):
    """Staff sign-in: lockout page (django-axes), TOTP two-factor (django-otp) for the admin."""

    name = "staffauth"
    verbose_name = "Staff sign-in"

    def ready(self):
        from django.contrib import admin

        from . import checks  # noqa: F401  (registers the deploy check)
        from .forms import StaffAuthenticationForm

        # The default admin site (every app registers on it) asks for the one-time code.
        admin.site.login_form = StaffAuthenticationForm
        admin.site.login_template = "staffauth/admin_login.html"
