#!/usr/bin/env bash
# What only the benchmarks need (benchmarks/README.md): wrk, the HTTP load generator of the web rows.
# Installs it when missing; needs root (or sudo) for apt-get. The tests never need it.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  echo "benchmark-deps: wrk present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "benchmark-deps: apt-get not found; install wrk yourself" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends wrk
