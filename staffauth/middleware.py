"""Keeps staff who must give a one-time code out of the admin until they have given one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .policy import confirmed_device, otp_required


class StaffOTPMiddleware:
    """After django_otp's OTPMiddleware (which sets request.user.is_verified).

    In the admin: a user with a confirmed TOTP device whose session was not verified by a code
    (e.g. signed in on the player page) is signed out and sent to the admin sign-in; a user who
    must use two-factor sign-in but has no device is sent to enrol one first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._gate(request) or self.get_response(request)

    def _gate(self, request):
        user = getattr(request, "user", None)
        admin_root = reverse("admin:index")
        if user is None or not user.is_authenticated or not user.is_staff or not request.path.startswith(admin_root):
            return None
        if request.path in (reverse("admin:login"), reverse("admin:logout")):
            return None
        if user.is_verified():
            return None
        if confirmed_device(user) is not None:
            logout(request)
            messages.info(request, "Sign in with your one-time code to use the admin.")
            return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")
        if otp_required(user):
            return redirect(f"{reverse('staffauth:enrol')}?{urlencode({'next': request.get_full_path()})}")
        return None
