#!/usr/bin/env bash
# Installs the system packages the build and tests need (Debian; run as root). Idempotent.
set -euo pipefail
need=()
command -v npm >/dev/null || need+=(npm)
# CUDA toolkit (nvcc, ptxas) for `make ptx` and scripts/check-ptx.sh; clang-14 is nvcc 11.8's host compiler.
# Debian ships nvidia-cuda-toolkit in non-free: enable that component first.
if ! command -v nvcc >/dev/null || ! command -v ptxas >/dev/null; then
  sources=/etc/apt/sources.list.d/debian.sources
  if [ -f "$sources" ] && ! grep -q "non-free" "$sources"; then
    sed -i 's/^Components:.*/Components: main contrib non-free non-free-firmware/' "$sources"
  fi
  need+=(nvidia-cuda-toolkit)
fi
command -v clang-14 >/dev/null || need+=(clang-14)
# MPI for DistributedDataParallel (chapter 25): MPICH's launcher and libmpich.so.12.
command -v mpirun.mpich >/dev/null || need+=(mpich)
ldconfig -p | grep -q "libmpich.so.12 " || need+=(libmpich-dev)
# Debian's Chromium for the browser tests (tests/Engine.Tests/Web, driven by Playwright; no browser is downloaded).
command -v chromium >/dev/null || need+=(chromium)
# h5py for the Keras .h5 tests (chapter 21/22): they read engine-written files with it, beside PureHDF.
/usr/bin/python3 -c "import h5py" 2>/dev/null || need+=(python3-h5py)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
