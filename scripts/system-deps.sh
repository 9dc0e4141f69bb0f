#!/usr/bin/env bash
# System packages the tests need: Chromium (browser test), Pango (WeasyPrint PDF),
# poppler-utils (pdftoppm), DejaVu fonts (Cyrillic in PDFs), wrk (benchmarks).
# Installs only what is missing; needs root (or sudo) for apt-get.
set -euo pipefail
# --- npm: outside parsers for the export tests (tests/js; gift-pegjs reads GIFT) ---
# Runs before the apt check below (which exits early when all is present); needs Node and npm.
if [ -f "$(dirname "$0")/../tests/js/package-lock.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    (cd "$(dirname "$0")/../tests/js" && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "system-deps: npm not found; the GIFT export test will be skipped (install Node.js and npm)" >&2
  fi
fi
# --- end npm ---
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || needed+=(poppler-utils)
command -v wrk >/dev/null 2>&1 || needed+=(wrk)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || needed+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || needed+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || needed+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || needed+=(postgresql)  # assignment tests on PostgreSQL
if [ ${#needed[@]} -eq 0 ]; then
  echo "system-deps: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: apt-get not found; install these yourself: ${needed[*]}" >&2
  exit 0
fi
echo "system-deps: installing ${needed[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${needed[@]}"
