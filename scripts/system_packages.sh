#!/usr/bin/env bash
# The system packages of the portal, for every way it is installed (one list, one script):
#   scripts/system_packages.sh            what the portal itself needs: Pango for WeasyPrint (PDF slips and
#                                         reports) and the PostgreSQL client (manage.py backup and restore)
#                                         — make install and the Dockerfile
#   scripts/system_packages.sh --server   also nginx and openssl — the plain route (deploy/plain/up.sh)
#   scripts/system_packages.sh --dev      also make, gettext, Chromium, poppler and wrk — tests, benchmarks
#                                         and CI (.ci/run)
# Installed with apt when missing and we are root (as on the project's machines); otherwise a warning
# says what to install. Fonts are shipped in static/fonts, so none are needed from the system.
set -u
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
missing=()
has_lib libpango-1.0.so.0 || missing+=(libpango-1.0-0)
has_lib libpangoft2-1.0.so.0 || missing+=(libpangoft2-1.0-0)
has pg_dump || missing+=(postgresql-client)
for group in "$@"; do
  case "$group" in
    --server)
      has nginx || missing+=(nginx)
      has openssl || missing+=(openssl) ;;
    --dev)
      has make || missing+=(make)
      has xgettext || missing+=(gettext)
      has chromium || missing+=(chromium)
      has pdftoppm || missing+=(poppler-utils)  # the signature stamp and report tests look at pages
      has wrk || missing+=(wrk) ;;  # the HTTP benchmarks and CI's performance budget (bench/budget.py)
    *)
      echo "unknown group $group (use --server, --dev)" >&2
      exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]}"
  # RUNLEVEL=1: a package's own service (nginx's default site) is not started on a machine without systemd.
  (apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >/dev/null \
    || { echo "could not install ${missing[*]}" >&2; exit 1; }
  if [ ! -d /run/systemd/system ] && [[ " ${missing[*]} " == *" nginx "* ]]; then
    pkill -x nginx 2>/dev/null || true  # the portal's nginx runs with its own configuration
  fi
else
  echo "WARNING: install ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
fi
exit 0
