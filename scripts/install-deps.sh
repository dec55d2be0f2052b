#!/usr/bin/env bash
# Installs the system packages the build and tests need (Debian; run as root). Idempotent.
set -euo pipefail
need=()
command -v npm >/dev/null || need+=(npm)
# MPI for DistributedDataParallel (chapter 25): MPICH's launcher and libmpich.so.12.
command -v mpirun.mpich >/dev/null || need+=(mpich)
ldconfig -p | grep -q "libmpich.so.12 " || need+=(libmpich-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
