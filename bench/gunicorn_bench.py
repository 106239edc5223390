"""gunicorn settings for bench/seamless.py: those of the project's gunicorn.conf.py that decide
speed (sync workers with persistent database connections: DB_POOL=false, CONN_MAX_AGE=600), without its access log
line per request, which the benchmark would measure too; workers and bind come from the command
line."""

import os

os.environ.setdefault("DB_POOL", "false")
os.environ.setdefault("CONN_MAX_AGE", "600")
