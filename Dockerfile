# The one image of every service in docker-compose.yml (web, worker, beat, migrate).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static assets (admin, API docs, report charts) are collected into the image and served by
# WhiteNoise from the web service: no separate file server, nothing loaded from a CDN.
RUN DEBUG=true python manage.py collectstatic --noinput \
    && useradd --system --home-dir /app backoffice && chown -R backoffice /app/var
USER backoffice

EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
