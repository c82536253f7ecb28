# Production image: gunicorn for the portal, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 OMNIBUS_ENV=production
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install . && useradd --system --home /app omnibus \
    && SECRET_KEY=build-only-secret-key-not-used-at-run-time-0000000000 python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/private && chown -R omnibus /app/var
USER omnibus

EXPOSE 8000
# Workers: gunicorn.conf.py (sync workers, twice the cores plus one), behind the TLS-terminating proxy.
CMD ["gunicorn", "omnibus.wsgi:application", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
