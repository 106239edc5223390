"""gunicorn settings for bench/seamless.py: none. The project's gunicorn.conf.py writes an access
log line per request, which the benchmark would measure too; workers and bind come from the
command line."""
