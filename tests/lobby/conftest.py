import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Player logins are created in many tests here: a cheap hasher keeps the directory fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
