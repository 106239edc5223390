"""Settings, read from the environment with django-environ (a `.env` file is optional).

The embedded default (nothing set) is SQLite under var/, in-process tasks and a local-memory
cache, so the app runs anywhere. Production sets DATABASE_URL (PostgreSQL), REDIS_URL,
CELERY_BROKER_URL, SECRET_KEY and DEBUG=false.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else environ.Env.NOTSET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    # The development key is published in this repository: sessions and password-reset links
    # signed with it can be forged by anyone who has read the code.
    raise ImproperlyConfigured(
        "SECRET_KEY is the published development key; with DEBUG off set SECRET_KEY to a long random "
        "value of your own (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "wallet",
    "lobby",
    "providers",
    "transfers",
    "reports",
    "simple_history",
    "audit",  # after the apps whose models it audits
    "staffauth",
    "demo",
    "csp",
]

# The installed game providers: one line per provider package, each declaring itself in its
# `registration` module (core/registry.py). This is the only place outside a provider's own
# package that names it; the lobby, transfers, reports, the admin and the commands iterate these.
INSTALLED_PROVIDERS = [
    "providers.onegaming",
    "providers.oppi",
    "providers.sandbox",  # stand-in lobbies and games (404 unless SANDBOX_ENABLED)
]

MIDDLEWARE = [
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every page (see CONTENT_SECURITY_POLICY)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff pages: a statement_timeout, and their reads on the replica when there is one.
    "core.staff_db.StaffDatabaseMiddleware",
    # Who made a change, for the audit trail (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "staffauth.middleware.StaffOTPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised while signing in into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# Providers' server-to-server calls (seamless callbacks, lobby validations) go through a
# handler with only these (config/wsgi.py): they authenticate by signature, not by session, and
# the full stack above cost about a tenth of a callback's CPU. SecurityMiddleware stays for the
# HTTPS redirect and HSTS, the request id for the logs.
CALLBACK_PATH_PREFIXES = None  # None: every installed provider's callback URL prefix (core.registry)
CALLBACK_MIDDLEWARE = [
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
]
# No page of ours is framed, by anyone: the lobby frames the provider's game (another origin),
# and only the sandbox's stand-in pages, served by this app, are framed by our own lobby (those
# views answer SAMEORIGIN and CSP frame-ancestors 'self' themselves: providers/sandbox/urls.py).
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Scripts only from this app, and inline ones only with the
# request's nonce (templates: nonce="{{ request.csp_nonce }}"); styles may be inline (the admin and
# ReDoc write style attributes); frames: the providers' game pages, which live on their own https
# origins (GAME_FRAME_SOURCES adds more, e.g. a provider's http test host). ReDoc searches in a blob: worker.
GAME_FRAME_SOURCES = env.list("GAME_FRAME_SOURCES", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "frame-src": [SELF, "https:", *GAME_FRAME_SOURCES],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    },
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for the writer lock instead of failing at once; BEGIN IMMEDIATE so that a
    # read-then-write transaction takes the lock up front (SQLite's stand-in for row locks).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif env.bool("DB_POOL", default=True):
    # PostgreSQL through psycopg's connection pool, bounded: every request thread or worker borrows
    # a connection and gives it back when the request ends, so a burst waits its turn (up to
    # DB_POOL_TIMEOUT seconds) instead of opening connections until the server refuses them
    # ("too many clients already"), as persistent per-thread connections did under runserver.
    # Per process: workers x DB_POOL_MAX_SIZE must stay below the server's max_connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        # Below gunicorn's worker timeout (GUNICORN_TIMEOUT, 30 s): with the database unreachable a
        # callback then answers UNKNOWN_ERROR / RS_ERROR instead of its worker being killed mid-call
        # (HTTP 500 from gunicorn); `make loadtest`, PostgreSQL stopped 40 s under load.
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # django-postgres-extra's back-end: Django's PostgreSQL back-end plus the schema editor and
    # introspection of native partitions (the call history is partitioned by day;
    # providers/partitioning.py, docs/decisions.md). It must not create the hstore extension.
    DATABASES["default"]["ENGINE"] = "psqlextra.backend"
    POSTGRES_EXTRA_AUTO_EXTENSION_SET_UP = False
if DATABASES["default"]["ENGINE"] == "psqlextra.backend":
    # The money path's hand-written statements (wallet/sql.py) are PREPAREd in SQL on their first
    # use per connection: PostgreSQL parses each once (and may keep a generic plan, below). psycopg's own
    # preparing stays off (prepare_threshold None): psycopg sends DEALLOCATE ALL after every
    # ROLLBACK on a connection where it prepared anything, which would drop those too.
    # DB_PREPARED_STATEMENTS=false sends them as they are (a pooler in transaction mode older than
    # PgBouncer 1.21 cannot keep prepared statements).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["prepare_threshold"] = None
    # Which plan a prepared statement runs with. force_custom_plan (the default): planned with its
    # values on every run, so a plan never outlives the data it was made for. "auto" lets a
    # prepared statement keep one generic plan and skip the planner (the bet's statements spend
    # more time planning than running): 1G bet spread +13 % in make bench. But a generic plan is
    # made from the statistics of its moment, and on tables never analysed (autovacuum off, a
    # fresh database) PostgreSQL cannot tell a unique index from another that leads with the
    # same column: Oppi's read before the lock kept a plan that filtered every game transaction of
    # the integration (docs/decisions.md, "The callback's third pass"). So "auto" is for databases
    # with statistics (autovacuum on); tests/test_generic_plans.py checks generic plans made on
    # near-empty tables as the tables grow.
    _plan_cache_mode = env.str("DB_PLAN_CACHE_MODE", default="force_custom_plan")
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode={_plan_cache_mode}".strip()
# wallet/sql.py: PREPARE the money path's statements in SQL (PostgreSQL; see DATABASES above).
MONEY_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
# Staff reads cannot starve callbacks (core/staff_db.py, docs/operations.md): every statement of
# an admin or report request stops after this many milliseconds (0: no limit), and with a
# replica the ORM reads of staff GET requests go there.
STAFF_PATH_PREFIXES = ("/admin/",)
STAFF_STATEMENT_TIMEOUT_MS = env.int("STAFF_STATEMENT_TIMEOUT_MS", default=5000)
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["OPTIONS"] = {k: v for k, v in DATABASES["default"].get("OPTIONS", {}).items()
                                       if k != "pool"}
    DATABASES["replica"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.staff_db.StaffReadRouter"]
# `ledger_check` marks the ledger checked up to the last transfer older than this (a newer one may
# still be committing); `ledger_check --incremental` starts there (wallet/checks.py).
LEDGER_CHECK_LAG_SECONDS = env.float("LEDGER_CHECK_LAG_SECONDS", default=300.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Seamless callbacks keep the calling integration and the catalogue's games in each worker for
# this many seconds (providers/lookups.py); a save clears it in the saving process at once, other
# workers follow within the TTL. Off (0) under pytest, where tests change rows with .update().
# Opt-in: a seamless callback's history row goes in the call's own transaction (one commit per
# call instead of two, but three savepoint pairs and the wallet lock held until the row is in;
# PostgreSQL only; providers/calllog.py). Off: a separate INSERT after the money transaction.
CALL_HISTORY_IN_CALL_TRANSACTION = env.bool("CALL_HISTORY_IN_CALL_TRANSACTION", default=False)
# A single seamless money call's history row is written in the same statement as its money
# (providers.calllog.HistoryWithMoney): no transaction and no round trip of its own. Off: the
# row is a separate INSERT after the money's transaction (replays and refusals always are).
CALL_HISTORY_WITH_MONEY = env.bool("CALL_HISTORY_WITH_MONEY", default=True)
# Provider calls refused before authentication (no valid signature, unknown key or agent, wrong
# method or path): their bodies are stored cut to this many bytes, and once one source address had
# more than CALLER_REFUSALS_LIMIT of them within CALLER_REFUSALS_WINDOW_SECONDS, its further ones
# are answered the provider's own "limited" status and not stored (counted in the cache: Redis in
# production). 0 turns the limit off (the default under pytest, whose tests send junk on purpose).
CALL_HISTORY_UNAUTHENTICATED_BODY_BYTES = env.int("CALL_HISTORY_UNAUTHENTICATED_BODY_BYTES", default=1024)
CALLER_REFUSALS_LIMIT = env.int("CALLER_REFUSALS_LIMIT", default=0 if "pytest" in sys.modules else 60)
CALLER_REFUSALS_WINDOW_SECONDS = env.int("CALLER_REFUSALS_WINDOW_SECONDS", default=60)
CALLBACK_LOOKUP_CACHE_SECONDS = env.float("CALLBACK_LOOKUP_CACHE_SECONDS",
                                          default=0.0 if "pytest" in sys.modules else 1.0)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = "UTC"
# A worker killed mid-task leaves its message unacknowledged; Redis hands it out again after
# this many seconds. Transfer tasks are safe to run twice (every step is a conditional update),
# and the stuck-order resolver below does not wait for it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Launch sessions (seconds): how long a 1G l_token may wait for its first use, and how long an
# Oppi sessionId lives without a call (the provider packages' lobby adapters read these).
ONEGAMING_START_TTL_SECONDS = env.int("ONEGAMING_START_TTL_SECONDS", default=15 * 60)
OPPI_SESSION_TTL_SECONDS = env.int("OPPI_SESSION_TTL_SECONDS", default=30 * 60)

# 1G lobby entry point's `/url` variants (the lobby asks 1G for a launch URL). Seconds.
ONEGAMING_HTTP_TIMEOUT = env.float("ONEGAMING_HTTP_TIMEOUT", default=10.0)
# The sandbox's 1G transfer-wallet records: rows per page (tests make it small to exercise paging).
SANDBOX_ONEGAMING_RECORDS_PAGE_SIZE = env.int("SANDBOX_ONEGAMING_RECORDS_PAGE_SIZE", default=50)

# 1G transfer wallet (operator -> 1G calls; transfers app). Seconds.
ONEGAMING_CONNECT_TIMEOUT = env.float("ONEGAMING_CONNECT_TIMEOUT", default=3.0)
ONEGAMING_READ_TIMEOUT = env.float("ONEGAMING_READ_TIMEOUT", default=10.0)
# Settle delay: how long after its last send 1G is given to show a transfer in its records.
# Only after it does a complete read of every records page without the transfer_id fail the
# order (money back); an order still undecided then needs attention (spec section 4).
TRANSFER_RECORDS_SETTLE = env.float("TRANSFER_RECORDS_SETTLE", default=300.0)
# Margin of the records window asked about an order: from this long before the order was made
# to this long after the settle delay following its last send.
TRANSFER_RECORDS_MARGIN = env.float("TRANSFER_RECORDS_MARGIN", default=600.0)
TRANSFER_MAX_SENDS = env.int("TRANSFER_MAX_SENDS", default=3)
# An order "sending" for longer than this (its worker died mid-call) is treated as unknown.
TRANSFER_SENDING_STALE = env.float("TRANSFER_SENDING_STALE", default=60.0)
# Backoff between records checks of an unknown order: base * 2^n, capped.
TRANSFER_BACKOFF_BASE = env.float("TRANSFER_BACKOFF_BASE", default=5.0)
TRANSFER_BACKOFF_MAX = env.float("TRANSFER_BACKOFF_MAX", default=600.0)
# celery-beat: how often the stuck-order resolver, the reconciliation and the games sync run.
TRANSFER_RESOLVER_EVERY = env.float("TRANSFER_RESOLVER_EVERY", default=60.0)
TRANSFER_RECONCILE_EVERY = env.float("TRANSFER_RECONCILE_EVERY", default=3600.0)
TRANSFER_RECONCILE_LOOKBACK_HOURS = env.int("TRANSFER_RECONCILE_LOOKBACK_HOURS", default=24)
GAMES_SYNC_EVERY = env.float("GAMES_SYNC_EVERY", default=86400.0)
# 1G integrations (codes) that refuse bets on games their catalogue does not know even inside a
# session launched into a lobby product (default: such games are accepted and recorded as discovered).
ONEGAMING_LOBBY_UNKNOWN_GAMES_REFUSED = env.list("ONEGAMING_LOBBY_UNKNOWN_GAMES_REFUSED", default=[])
# The games sync refuses (changes nothing) a list that would disable more than this share of the
# integration's enabled games, unless run with --force.
GAMES_SYNC_MAX_DISABLE_SHARE = env.float("GAMES_SYNC_MAX_DISABLE_SHARE", default=0.5)
CELERY_BEAT_SCHEDULE = {
    "transfers-resolve-stuck": {"task": "transfers.resolve_stuck", "schedule": TRANSFER_RESOLVER_EVERY},
    "transfers-reconcile": {"task": "transfers.reconcile_all", "schedule": TRANSFER_RECONCILE_EVERY},
    "games-sync": {"task": "lobby.games_sync_all", "schedule": GAMES_SYNC_EVERY},
    # Report aggregates follow the ledger: a refresh every minute (idempotent, high-water mark).
    "reports-aggregates-refresh": {"task": "reports.aggregates_refresh", "schedule": 60.0},
    # Call history: daily partitions created ahead, those past the retention dropped (their
    # money calls kept first); transfer events past the retention pruned. Idempotent.
    "call-history-maintain": {"task": "providers.call_history_maintain", "schedule": 3600.0},
    "transfer-events-prune": {"task": "transfers.events_prune", "schedule": 3600.0},
    # Rows committed below the mark after PENDING_TTL (a long transaction) are counted here.
    "reports-aggregates-catch-up": {"task": "reports.aggregates_catch_up",
                                    "schedule": env.float("REPORTS_CATCH_UP_EVERY", default=600.0)},
}
# Days of call history (and of transfer events of final orders) kept; the money calls (their
# transaction id reached the ledger) are kept for good (providers.KeptCall). 0 keeps everything.
CALL_HISTORY_RETENTION_DAYS = env.int("CALL_HISTORY_RETENTION_DAYS", default=90)
# PostgreSQL: daily partitions of the call history created this many days ahead.
CALL_HISTORY_PARTITIONS_AHEAD = env.int("CALL_HISTORY_PARTITIONS_AHEAD", default=7)
# Pages never refresh the aggregates (they say how far behind they are). Without a worker (the
# embedded default) a background thread of the web process does, every this many seconds; 0: off.
REPORTS_EMBEDDED_REFRESH_EVERY = env.float(
    "REPORTS_EMBEDDED_REFRESH_EVERY", default=0.0 if CELERY_BROKER_URL or "pytest" in sys.modules else 60.0)
# The period the dashboard and the report pages open on: the last N UTC days, today included.
REPORTS_DEFAULT_DAYS = env.int("REPORTS_DEFAULT_DAYS", default=30)
# Hold % is shown only when the bets reach this many currency units ("—" below: too small to mean
# anything). "default" applies to every currency without its own entry, e.g. "default=10,IDR=100000".
REPORTS_HOLD_MIN_BETS = env.dict("REPORTS_HOLD_MIN_BETS", default={"default": "10"})

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out sign-in before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lockout (admin and player sign-in): after AXES_FAILURE_LIMIT failures for one username
# from one address, that pair is refused for AXES_COOLOFF_MINUTES (see docs/decisions.md).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staffauth/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"  # the same trusted-proxy rule as everywhere
AXES_VERBOSE = False
# TOTP two-factor sign-in for staff (django-otp). A staff user with a confirmed device must give its
# code at the admin sign-in. With STAFF_OTP_REQUIRED, superusers and members of
# STAFF_OTP_REQUIRED_GROUPS must enrol a device before they can use the admin.
# On by default with DEBUG off (`manage.py check --deploy` warns when it is turned off there).
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=not DEBUG)
STAFF_OTP_REQUIRED_GROUPS = env.list("STAFF_OTP_REQUIRED_GROUPS", default=["finance"])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Casino back-office")
# Manual wallet adjustments in the admin above this amount (either sign, in currency units) wait
# for a second user's approval. Per currency code, "*" for the others; from the environment as
# ADJUSTMENT_APPROVAL_THRESHOLDS="*=1000,IDR=15000000,VND=25000000".
ADJUSTMENT_APPROVAL_THRESHOLDS = env.dict("ADJUSTMENT_APPROVAL_THRESHOLDS", default={"*": "1000"})

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "lobby:login"
LOGIN_REDIRECT_URL = "lobby:catalogue"
LOGOUT_REDIRECT_URL = "lobby:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default, opted into now

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic output (production)
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves the admin's and the API docs' assets from gunicorn too; without a
# collectstatic run it finds them in the apps, as runserver does.
WHITENOISE_USE_FINDERS = True

# The audit trail is a record, not an undo button: no "revert to this version" in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Provider callbacks authenticate by HMAC signature in the provider package, not by DRF.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
# /api/schema and /api/docs need a staff login unless this publishes them (default: only with DEBUG on).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Operator back-office: provider callback API",
    "DESCRIPTION": "Seamless-wallet endpoints that 1Gaming and Oppi Games call. "
    "See docs/ in the repository for signing and curl examples.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages load ReDoc / Swagger UI from this app's static files, not from a CDN.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Fully offline: no validator badge fetched from validator.swagger.io, and ReDoc with
    # system fonts (fonts from Google are left out by templates/api_docs/redoc.html).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_UI_SETTINGS": {"hideDownloadButton": False, "theme": {"typography": {
        "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
        "code": {"fontFamily": "ui-monospace, SFMono-Regular, Menlo, monospace"}}}},
}

# Transfer mode: how long a lobby launch waits for a worker to confirm the player's deposit
# (with a real broker) before saying it is still on its way. Seconds.
LOBBY_DEPOSIT_WAIT_SECONDS = env.float("LOBBY_DEPOSIT_WAIT_SECONDS", default=8.0)

# The sandbox provider (stand-in lobbies and games, served by this project) moves real ledger
# money on our callbacks: it is off unless SANDBOX_ENABLED is set (`make run` sets it).
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=False)

# HTTPS. With DEBUG off the defaults are the secure ones; behind a TLS load balancer set
# SECURE_PROXY_SSL_HEADER (e.g. "HTTP_X_FORWARDED_PROTO,https") and CSRF_TRUSTED_ORIGINS
# (e.g. "https://bo.example.com"), or every admin POST fails its CSRF origin check.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
# With DEBUG off, HSTS covers the subdomains and may be preloaded (`check --deploy` warns otherwise);
# set both false if a subdomain of this host's domain must still answer over plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured('SECURE_PROXY_SSL_HEADER is "HEADER,value", e.g. "HTTP_X_FORWARDED_PROTO,https"')
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None

# Client addresses: X-Forwarded-For is believed only when the socket peer is one of these proxies
# (IPs or networks); the client is the rightmost address that is not a trusted proxy.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# /metrics: a scraper shows METRICS_TOKEN as "Authorization: Bearer <token>", or comes from an
# address in METRICS_ALLOWED_IPS (IPs or networks). With neither set, loopback only.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

# Logs: one JSON object per line in production (LOG_FORMAT=json, the default with DEBUG off), a
# readable line in development. Every line carries the request id (X-Request-ID) of the request
# that wrote it; stdlib loggers (Django, Celery, ours) all go through structlog's formatter.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdLogFilter"},
                "refusal": {"()": "core.observability.RefusalLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "core.observability.json_log_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; lockouts (WARNING) are what ops need to see.
    "loggers": {
        "axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")},
        # Django's default config gives "django" its own console handler (DEBUG) on top of ours:
        # one handler (the root's) prints each line once.
        "django": {"handlers": [], "propagate": True},
        # A 403 is one warning line, without the PermissionDenied traceback.
        "django.request": {"filters": ["refusal"]},
        "django.security": {"filters": ["refusal"]},
    },
}

# Admin (and every template) times: seconds and the time zone, e.g. "2026-11-29 10:15:02 UTC".
# Django 5 always localizes, so the formats live in a format module (config/formats/en/).
FORMAT_MODULE_PATH = ["config.formats"]
