#!/usr/bin/env bash
# System libraries the portal needs beyond Python packages: Pango for WeasyPrint (PDF slips).
# Installed with apt when missing and we are root (as on the project's machines); otherwise a warning
# says what to install. Fonts are shipped in static/fonts, so none are needed from the system.
set -u
missing=()
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("$lib")
done
[ ${#missing[@]} -eq 0 ] && exit 0
packages="libpango-1.0-0 libpangoft2-1.0-0"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing $packages (PDF slips need Pango)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages) >/dev/null \
    || echo "WARNING: could not install $packages; PDF slips will fail until they are installed" >&2
else
  echo "WARNING: PDF slips need Pango: install $packages (e.g. sudo apt-get install $packages)" >&2
fi
exit 0
