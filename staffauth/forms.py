"""The admin sign-in form: username and password, then the TOTP code when the user has a device."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django_otp.plugins.otp_totp.models import TOTPDevice

from .policy import confirmed_device

CODE_ERROR = "Enter the 6-digit code from your authenticator app."


class StaffAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label="One-time code", required=False, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="From your authenticator app, if you have enrolled one.",
    )

    def clean(self):
        cleaned = super().clean()  # password checked (and counted by django-axes) first
        user = self.get_user()
        device = confirmed_device(user)
        if device is not None:
            token = (cleaned.get("otp_token") or "").strip()
            if not token or not device.verify_token(token):
                # A wrong code counts as a failed sign-in, so guessing codes also ends in a lockout.
                user_login_failed.send(sender=__name__, credentials={"username": user.get_username()},
                                       request=self.request)
                raise forms.ValidationError(CODE_ERROR, code="otp_invalid")
            user.otp_device = device  # django-otp's login signal marks the session verified
        return cleaned


class EnrolForm(forms.Form):
    otp_token = forms.CharField(label="Code from your app", max_length=8,
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].strip()
        if not self.device.verify_token(token):
            raise forms.ValidationError("That code does not match; check the clock of your device and try again.")
        return token
