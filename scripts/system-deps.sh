#!/usr/bin/env bash
# System packages the tests need: Chromium (browser tests), Pango (WeasyPrint PDF), poppler-utils (pdftoppm),
# DejaVu fonts (Cyrillic in PDFs), PostgreSQL (assignment tests start a throwaway cluster), Node.js and npm
# (the GIFT parser in tests/js). The benchmarks' wrk is in scripts/benchmark-deps.sh, not here.
# Installs only what is missing; needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || needed+=(poppler-utils)
command -v node >/dev/null 2>&1 || needed+=(nodejs)
command -v npm >/dev/null 2>&1 || needed+=(npm)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || needed+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || needed+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || needed+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || needed+=(postgresql)
if [ ${#needed[@]} -eq 0 ]; then
  echo "system-deps: system packages all present"
elif ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: apt-get not found; install these yourself: ${needed[*]}" >&2
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "system-deps: installing ${needed[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${needed[@]}"
fi
# The outside parsers of the export tests (tests/js: gift-pegjs reads GIFT), at the locked versions.
if command -v npm >/dev/null 2>&1; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "system-deps: npm not found; install Node.js and npm, then run this again (the GIFT test needs them)" >&2
fi
