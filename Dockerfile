# Production image: gunicorn for the portal, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 OMNIBUS_ENV=production
# pg_dump/pg_restore of the server's major version (docker-compose's postgres:16, from PostgreSQL's own apt
# repository) and gnupg, for `manage.py backup` and `restore_drill`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        gnupg curl ca-certificates \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSo /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-client-16 \
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
