# Image for the production shape (docker-compose.yml): the same image runs web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/srv/onestop/static \
    MEDIA_ROOT=/srv/onestop/media \
    SIGNING_DIR=/srv/onestop/signing \
    BACKUP_DIR=/srv/onestop/backups

WORKDIR /app
# The system packages from the same script `make install` runs (Pango: every PDF; the PostgreSQL client:
# manage.py backup and restore).
COPY scripts/system_packages.sh scripts/
RUN bash scripts/system_packages.sh && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Translations compiled and static files collected (hashed, gzip and brotli) at build time.
RUN python scripts/compile_translations.py \
 && DEBUG=False SECRET_KEY=build-time-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /srv/onestop onestop \
 && mkdir -p "$MEDIA_ROOT" "$SIGNING_DIR" "$BACKUP_DIR" /var/lib/onestop-beat \
 && chown -R onestop "$STATIC_ROOT" "$MEDIA_ROOT" "$SIGNING_DIR" "$BACKUP_DIR" /var/lib/onestop-beat \
 && chmod 700 "$SIGNING_DIR" "$BACKUP_DIR"

USER onestop
EXPOSE 8000
CMD ["gunicorn", "onestop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
