"""WSGI entry point (gunicorn `config.wsgi`, runserver via WSGI_APPLICATION).

Providers' server-to-server calls (settings.CALLBACK_PATH_PREFIXES) go through a second Django
handler whose middleware is settings.CALLBACK_MIDDLEWARE; every other path through the full
stack of settings.MIDDLEWARE. A seamless callback authenticates by its signature and never uses
sessions, CSRF, staff sign-in, two-factor, lockout, messages or static files, and that stack cost
about a tenth of a callback's CPU (docs/BENCHMARKS.md).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.callback_paths import with_callback_handler  # noqa: E402  (needs the settings loaded)

application = with_callback_handler(application)
