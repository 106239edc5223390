"""TOTP enrolment for staff: a secret key (and its QR code), confirmed by one code from the app."""

from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import EnrolForm
from .policy import confirmed_device, otp_required


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if ok else "admin:index"


@staff_member_required
def enrol(request):
    """Enrol one TOTP device. A user who already has one manages it in the admin (OTP devices)."""
    if confirmed_device(request.user) is not None:
        messages.info(request, "Two-factor sign-in is already on for your account.")
        return redirect("admin:index")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = EnrolForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)  # this session has just proven the code
        messages.success(request, "Two-factor sign-in is on: the admin sign-in now asks for a code.")
        return redirect(_next(request))
    uri = device.config_url
    return render(request, "staffauth/enrol.html", {
        "form": form, "secret": _base32(device.bin_key), "qr_svg": _qr_svg(uri), "required": otp_required(request.user),
        "next": request.POST.get("next") or request.GET.get("next") or "", "issuer": settings.OTP_TOTP_ISSUER,
    })


def _base32(key: bytes) -> str:
    from base64 import b32encode

    return b32encode(key).decode().rstrip("=")
