#!/usr/bin/env bash
# Installs the system packages the build and tests need (Debian; run as root). Idempotent.
set -euo pipefail
need=()
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
