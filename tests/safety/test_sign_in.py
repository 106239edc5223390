"""Issue 8: sign-in lockout (django-axes) on the admin and player sign-in pages, and TOTP two-factor
sign-in for staff (django-otp), optional by default and required for superusers and finance by setting."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PlayerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-1"


@pytest.fixture(autouse=True)
def _fast_hashes_and_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 3


def totp(key: bytes, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HOTP of RFC 4226 over the 30-second counter, HMAC-SHA1), written from the RFC."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def test_rfc6238_reference_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s, 8 digits.
    assert totp(b"12345678901234567890", at=59, digits=8) == "94287082"


def _player_sign_in(client, username, password, **meta):
    return client.post(reverse("lobby:login"), {"username": username, "password": password}, **meta)


def _admin_sign_in(client, username, password, otp_token="", **meta):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "otp_token": otp_token,
                                                "next": "/admin/"}, **meta)


def test_player_sign_in_locks_out_after_repeated_failures_with_a_clear_message(client):
    PlayerFactory(user=UserFactory(username="mikha", password=PASSWORD))
    for _ in range(2):
        assert _player_sign_in(client, "mikha", "wrong").status_code == 200  # the form again, with its error
    locked = _player_sign_in(client, "mikha", "wrong")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    # Locked: even the right password is refused now, with the same page.
    again = _player_sign_in(client, "mikha", PASSWORD)
    assert again.status_code == 429 and "Try again in" in again.content.decode()
    assert "_auth_user_id" not in client.session
    # The lockout is for this username from this address: the player elsewhere is not locked out.
    assert _player_sign_in(Client(), "mikha", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302


def test_admin_sign_in_locks_out_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="ops", password=PASSWORD, is_staff=True)
    assert _admin_sign_in(client, "ops", "wrong").status_code == 200
    assert _admin_sign_in(client, "ops", "wrong").status_code == 429
    locked = _admin_sign_in(client, "ops", PASSWORD)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()


def test_a_successful_sign_in_before_the_limit_resets_the_count(client):
    UserFactory(username="ops", password=PASSWORD, is_staff=True)
    for _ in range(2):
        _admin_sign_in(client, "ops", "wrong")
    assert _admin_sign_in(client, "ops", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert _admin_sign_in(client, "ops", "wrong").status_code == 200


@pytest.fixture
def staff_with_device(db):
    user = UserFactory(username="ops2fa", password=PASSWORD, is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_admin_sign_in_asks_for_the_code_when_the_user_has_a_device(client, staff_with_device):
    user, device = staff_with_device
    no_code = _admin_sign_in(client, "ops2fa", PASSWORD)
    assert no_code.status_code == 200 and "6-digit code" in no_code.content.decode()
    wrong = _admin_sign_in(client, "ops2fa", PASSWORD, otp_token="000000" if totp(device.bin_key) != "000000" else "1")
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None  # django-otp's own back-off
    device.save()
    ok = _admin_sign_in(client, "ops2fa", PASSWORD, otp_token=totp(device.bin_key))
    assert ok.status_code == 302, ok.content.decode()[:500]
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_count_towards_the_lockout(client, staff_with_device):
    for _ in range(3):
        response = _admin_sign_in(client, "ops2fa", PASSWORD, otp_token="12345x")
    assert response.status_code == 429


def test_a_user_with_a_device_signed_in_without_a_code_is_kept_out_of_the_admin(client, staff_with_device):
    user, _ = staff_with_device
    # E.g. signed in on the player sign-in page, which asks for no code.
    assert _player_sign_in(client, "ops2fa", PASSWORD).status_code == 302
    response = client.get("/admin/wallet/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert "_auth_user_id" not in client.session


def _enrol(client, next_url="/admin/"):
    page = client.get(reverse("staffauth:enrol") + f"?next={next_url}")
    assert page.status_code == 200
    secret = re.search(r'id="otp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return client.post(reverse("staffauth:enrol"), {"otp_token": totp(key), "next": next_url})


@pytest.mark.parametrize("who", ["superuser", "finance"])
def test_required_two_factor_makes_superusers_and_finance_enrol_first(client, settings, who):
    settings.STAFF_OTP_REQUIRED = True
    user = UserFactory(username=who, password=PASSWORD, is_staff=True, is_superuser=who == "superuser")
    if who == "finance":
        user.groups.add(Group.objects.get_or_create(name="finance")[0])
    assert _admin_sign_in(client, who, PASSWORD).status_code == 302
    gated = client.get("/admin/")
    assert gated.status_code == 302 and gated["Location"].startswith(reverse("staffauth:enrol"))
    done = _enrol(client)
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/admin/").status_code == 200


def test_required_two_factor_leaves_other_staff_alone_and_is_off_by_default(client, settings):
    support = UserFactory(username="support", password=PASSWORD, is_staff=True)
    root = UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    settings.STAFF_OTP_REQUIRED = True
    client.force_login(support)
    assert client.get("/admin/").status_code == 200
    settings.STAFF_OTP_REQUIRED = False
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


def test_an_enrolment_code_that_does_not_match_is_refused(client, settings):
    settings.STAFF_OTP_REQUIRED = True
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.get(reverse("staffauth:enrol"))
    response = client.post(reverse("staffauth:enrol"), {"otp_token": "12345x"})
    assert response.status_code == 200 and "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get("/admin/").status_code == 302
