#!/usr/bin/env bash
# The plain route (no Docker) on one machine, every step of docs/deployment.md "Plain route" in order:
# system packages, Python packages, database roles, migrations as the owner, translations, static files,
# the deploy check, folders, then gunicorn, the Celery worker, Celery beat and nginx (as systemd units
# where systemd runs, else as processes of this script), and a wait for /healthz through nginx.
#
#   ONESTOP_ENV_FILE=/etc/onestop/onestop.env OWNER_ENV_FILE=/etc/onestop/owner.env \
#   DATABASE_ADMIN_URL=postgres://postgres@/postgres TLS_CERT=… TLS_KEY=… VENV=/srv/onestop/venv deploy/plain/up.sh
#       bring the portal up with that environment (DATABASE_URL: the portal's row-only role) and the
#       owner's URL (DATABASE_OWNER_URL) from a root-only file the portal's processes never read
#   deploy/plain/up.sh --smoke
#       a throw-away instance with production settings (its own database and roles, folders under
#       /tmp, a self-signed certificate, its own ports), the smoke test deploy/plain/smoke.py against
#       it through nginx, then everything stopped and dropped again. CI runs this.
#   deploy/plain/up.sh --down        stop what a previous run of this script started (not systemd units)
set -euo pipefail
cd "$(dirname "$0")/../.."
APP_DIR="$(pwd)"
VENV="${VENV:-$APP_DIR/.venv}"
PY="$VENV/bin/python"
# Pid files and logs of the processes this script starts where systemd does not run them.
RUN_DIR="${ONESTOP_RUN_DIR:-/var/lib/onestop/run}"
started=$(date +%s)
say() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }
env_value() { "$PY" -c "import environ,sys; e=environ.Env(); environ.Env.read_env(sys.argv[1]); print(e.str(sys.argv[2], default=''))" "$ONESTOP_ENV_FILE" "$1"; }
owner_url() { "$PY" -c "import environ,sys; e=environ.Env(); environ.Env.read_env(sys.argv[1]); print(e.str('DATABASE_OWNER_URL'))" "$OWNER_ENV_FILE"; }
# A setting as the portal reads it (the environment file and the defaults): never empty where it matters.
setting() {
  local value
  value=$("$PY" -c "import django,sys; django.setup(); from django.conf import settings; print(getattr(settings, sys.argv[1]) or '')" "$1")
  [ -n "$value" ] || { echo "the setting $1 is empty" >&2; exit 1; }
  echo "$value"
}
export DJANGO_SETTINGS_MODULE=onestop.settings

stop_processes() {
  for pidfile in "$RUN_DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

if [ "${1:-}" = "--down" ]; then
  stop_processes
  exit 0
fi

SMOKE=false
[ "${1:-}" = "--smoke" ] && SMOKE=true

if $SMOKE; then
  say "Smoke instance: settings"
  tag="$(date +%s)_$$"
  RUN_DIR="/tmp/onestop-smoke-$tag"
  mkdir -p "$RUN_DIR"
  HTTP_PORT="${SMOKE_HTTP_PORT:-18080}"
  HTTPS_PORT="${SMOKE_HTTPS_PORT:-18443}"
  SMTP_PORT="${SMOKE_SMTP_PORT:-18025}"
  WEB_BIND="127.0.0.1:${SMOKE_WEB_PORT:-18000}"
  DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  database="onestop_smoke_$tag"
  owner="onestop_owner_$tag"
  app="onestop_app_$tag"
  secret() { python3 -c "import secrets; print(secrets.token_urlsafe($1))"; }
  export ONESTOP_ENV_FILE="$RUN_DIR/onestop.env"
  cat > "$ONESTOP_ENV_FILE" <<EOF
DEBUG=False
SECRET_KEY=$(secret 64)
ALLOWED_HOSTS=localhost
PORTAL_URL=https://localhost:$HTTPS_PORT
CSRF_TRUSTED_ORIGINS=https://localhost:$HTTPS_PORT
DATABASE_URL=postgres://$app:$(secret 24)@127.0.0.1:5432/$database
REDIS_URL=redis://127.0.0.1:6379/12
CACHE_URL=redis://127.0.0.1:6379/13
EMAIL_URL=smtp://127.0.0.1:$SMTP_PORT
DEFAULT_FROM_EMAIL=Một cửa điện tử <no-reply@localhost>
EMAIL_TIMEOUT=10
STATIC_ROOT=$RUN_DIR/static
MEDIA_ROOT=$RUN_DIR/media
MEDIA_ACCEL_PREFIX=/_protected/
SIGNING_DIR=$RUN_DIR/signing
BACKUP_DIR=$RUN_DIR/backups
SMS_FILE_PATH=$RUN_DIR/sms
TRUSTED_PROXY_COUNT=1
DEMO_DATA_ALLOWED=False
LOG_LEVEL=WARNING
EOF
  chmod 600 "$ONESTOP_ENV_FILE"
  # The owner's URL apart: for the roles, migrations and restores only, never in the portal's processes.
  export OWNER_ENV_FILE="$RUN_DIR/owner.env"
  echo "DATABASE_OWNER_URL=postgres://$owner:$(secret 24)@127.0.0.1:5432/$database" > "$OWNER_ENV_FILE"
  chmod 600 "$OWNER_ENV_FILE"
  cleanup() {
    status=$?
    say "Smoke instance: down"
    stop_processes
    if [ $status -ne 0 ]; then
      for log in "$RUN_DIR"/*.log; do echo "--- $log (last lines)"; tail -n 40 "$log" || true; done
    fi
    psql -q "$DATABASE_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 || true
    psql -q "$DATABASE_ADMIN_URL" -c "DROP ROLE IF EXISTS \"$app\"" -c "DROP ROLE IF EXISTS \"$owner\"" >/dev/null 2>&1 || true
    redis-cli -n 12 flushdb >/dev/null 2>&1 || true
    rm -rf "$RUN_DIR"
    exit $status
  }
  trap cleanup EXIT
else
  : "${ONESTOP_ENV_FILE:?set ONESTOP_ENV_FILE to the environment file (see .env.example)}"
  : "${DATABASE_ADMIN_URL:?set DATABASE_ADMIN_URL to a PostgreSQL superuser URL (for the roles)}"
  : "${OWNER_ENV_FILE:?set OWNER_ENV_FILE to the root-only file with DATABASE_OWNER_URL}"
  export ONESTOP_ENV_FILE OWNER_ENV_FILE
  HTTP_PORT="${HTTP_PORT:-80}"
  HTTPS_PORT="${HTTPS_PORT:-443}"
  WEB_BIND="${WEB_BIND:-127.0.0.1:8000}"
  mkdir -p "$RUN_DIR"
fi
export WEB_BIND VENV
# The environment file is what the portal runs with: a variable of the same name inherited from the
# shell (a DATABASE_URL left from other work) must not override it in the processes started here.
while IFS='=' read -r key _value; do
  if [[ $key =~ ^[A-Z][A-Z0-9_]*$ ]]; then unset "$key"; fi  # (an && here would end the script on a last comment line)
done < "$ONESTOP_ENV_FILE"

say "1. System packages (Pango for PDFs, nginx, the PostgreSQL client)"
bash scripts/system_packages.sh --server
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

say "2. Python packages"
[ -x "$PY" ] || python3 -m venv "$VENV"
"$PY" -m pip install --quiet -r requirements.txt

say "3. Database roles (owner and application)"
"$PY" manage.py db_roles --admin-url "$DATABASE_ADMIN_URL" \
  --owner-url "$(owner_url)" --app-url "$(env_value DATABASE_URL)" >/dev/null

say "4. Migrations, as the owner"
DATABASE_URL="$(owner_url)" "$PY" manage.py migrate --noinput -v0

say "5. Translations and static files"
"$PY" scripts/compile_translations.py
"$PY" manage.py collectstatic --noinput -v0

say "6. The deploy check"
"$PY" manage.py check --deploy --fail-level WARNING

say "7. Folders (owned by the service user where there is one; the keys owner-only)"
STATIC_ROOT=$(setting STATIC_ROOT)
MEDIA_ROOT=$(setting MEDIA_ROOT)
SIGNING_DIR=$(setting SIGNING_DIR)
BACKUP_DIR=$(setting BACKUP_DIR)
# Beat's schedule survives restarts (never in /tmp outside the throw-away smoke instance).
if $SMOKE; then export BEAT_SCHEDULE="$RUN_DIR/beat-schedule"; else export BEAT_SCHEDULE="${BEAT_SCHEDULE:-/var/lib/onestop/beat-schedule}"; fi
mkdir -p "$MEDIA_ROOT" "$SIGNING_DIR" "$BACKUP_DIR" "$(dirname "$BEAT_SCHEDULE")"
chmod 700 "$SIGNING_DIR" "$BACKUP_DIR"
if ! $SMOKE && id onestop >/dev/null 2>&1; then
  chown -R onestop: "$MEDIA_ROOT" "$SIGNING_DIR" "$BACKUP_DIR" "$(dirname "$BEAT_SCHEDULE")"
fi

if $SMOKE; then
  say "Smoke instance: demo catalogue and people, a self-signed certificate"
  "$PY" manage.py seed_demo --force >/dev/null
  "$PY" manage.py shell -c "from dossiers.signing import demo_pki_create; from accounts.models import Agency; demo_pki_create(agencies=list(Agency.objects.all()))" >/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$RUN_DIR/tls.key" -out "$RUN_DIR/tls.crt" 2>/dev/null
  CERT="$RUN_DIR/tls.crt" KEY="$RUN_DIR/tls.key"
else
  CERT="${TLS_CERT:?set TLS_CERT and TLS_KEY to the site certificate and key}" KEY="${TLS_KEY:?}"
fi

say "8. The nginx site"
host=$(env_value ALLOWED_HOSTS | cut -d, -f1)
suffix=""; [ "$HTTPS_PORT" = "443" ] || suffix=":$HTTPS_PORT"
sed -e "s|@@UPSTREAM@@|$WEB_BIND|" -e "s|@@HTTP_PORT@@|$HTTP_PORT|" -e "s|@@HTTPS_PORT@@|$HTTPS_PORT|" \
    -e "s|@@HTTPS_SUFFIX@@|$suffix|" -e "s|@@SERVER_NAME@@|$host|" -e "s|@@CERT@@|$CERT|" -e "s|@@KEY@@|$KEY|" \
    -e "s|@@STATIC_ROOT@@|$STATIC_ROOT|" -e "s|@@MEDIA_ROOT@@|$MEDIA_ROOT|" deploy/nginx/onestop.conf > "$RUN_DIR/onestop-site.conf"

say "9. Services: web, worker, beat, nginx"
if [ -d /run/systemd/system ] && ! $SMOKE; then
  # The units name the code, the environment, the virtual environment and the schedule where this run has them.
  for unit in deploy/systemd/onestop-*.service; do
    sed -e "s|/srv/onestop/app|$APP_DIR|g" -e "s|/etc/onestop/onestop.env|$ONESTOP_ENV_FILE|" \
        -e "s|VENV=/srv/onestop/venv|VENV=$VENV|" -e "s|BEAT_SCHEDULE=/var/lib/onestop/beat-schedule|BEAT_SCHEDULE=$BEAT_SCHEDULE|" \
        "$unit" > "/etc/systemd/system/$(basename "$unit")"
  done
  install -m 644 "$RUN_DIR/onestop-site.conf" /etc/nginx/sites-available/onestop.conf
  ln -sf /etc/nginx/sites-available/onestop.conf /etc/nginx/sites-enabled/onestop.conf
  systemctl daemon-reload
  units="onestop-web onestop-worker@celery onestop-worker@mail onestop-worker@sms onestop-beat"
  systemctl enable $units
  systemctl restart $units  # an upgrade: the new code runs
  nginx -t && systemctl reload nginx
else
  start() {  # name, command...: a background process with its pid file and log
    local name=$1; shift
    setsid "$@" >"$RUN_DIR/$name.log" 2>&1 < /dev/null &
    echo $! > "$RUN_DIR/$name.pid"
  }
  start web deploy/plain/run web
  for queue in celery mail sms; do start "worker-$queue" deploy/plain/run worker "$queue"; done
  start beat deploy/plain/run beat
  mkdir -p "$RUN_DIR/nginx/logs"
  cat > "$RUN_DIR/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $RUN_DIR/nginx/nginx.pid;
error_log $RUN_DIR/nginx.log warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    access_log $RUN_DIR/nginx-access.log;
    sendfile on;
    include $RUN_DIR/onestop-site.conf;
}
EOF
  "$NGINX" -t -q -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf"
  start nginx "$NGINX" -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf" -g "daemon off;"
fi

say "10. Waiting for /healthz through nginx"
"$PY" - "http://127.0.0.1:$HTTP_PORT/healthz" "$host" <<'EOF'
import sys, time, urllib.request
for _ in range(60):
    try:
        request = urllib.request.Request(sys.argv[1], headers={"Host": sys.argv[2]})
        print(urllib.request.urlopen(request, timeout=5).read().decode())
        break
    except OSError:
        time.sleep(1)
else:
    sys.exit("the portal did not answer /healthz through nginx")
EOF

if $SMOKE; then
  say "Smoke test"
  "$PY" deploy/plain/smoke.py --url "https://localhost:$HTTPS_PORT" --health "http://127.0.0.1:$HTTP_PORT/healthz" \
    --cafile "$RUN_DIR/tls.crt" --smtp-port "$SMTP_PORT" --web "http://$WEB_BIND"
fi
say "Up"
