#!/usr/bin/env bash
# Installs the Debian packages the exercises and tests need when they are missing. Idempotent, and
# silent when nothing is missing. `make run` and `make test` call it first, so a fresh machine needs
# nothing but the .NET 10 SDK and these two commands.
#
#   scripts/install-deps.sh [run|test|bench] [--check]
#     run     what `make run` needs: npm (datasets) and MPICH's libmpich.so.12 (exercise 25.2b)
#     test    (default) also nvcc + ptxas (nvidia-cuda-toolkit), clang-14 and mpirun.mpich
#     bench   what `make bench` needs: the peers NumPy and PyTorch for /usr/bin/python3, on OpenBLAS
#     --check only report: print the one line below and exit 1 when something is missing
#
# As root the missing packages are installed with apt-get (enabling Debian's non-free component
# first when nvidia-cuda-toolkit is among them). Otherwise it prints one line naming the exact
# apt-get command and exits 1.
set -euo pipefail
target=test
check_only=0
for arg in "$@"; do
  case "$arg" in
    run|test|bench) target=$arg ;;
    --check) check_only=1 ;;
    *) echo "install-deps: unknown argument '$arg' (expected run, test, bench, --check)" >&2; exit 2 ;;
  esac
done

if ! command -v dotnet >/dev/null || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  echo "setup: the .NET 10 SDK is not installed (dotnet --list-sdks shows no 10.x); install it from https://learn.microsoft.com/dotnet/core/install/linux-debian, then run this again." >&2
  exit 1
fi

# missing: what was probed and not found; packages: the Debian packages that provide them.
missing=()
packages=()
want() { # want <probe result 0/1> <what> <package>
  if [ "$1" -ne 0 ]; then
    missing+=("$2")
    case " ${packages[*]-} " in *" $3 "*) ;; *) packages+=("$3") ;; esac
  fi
}
has() { command -v "$1" >/dev/null; echo $?; }
# The loader's cache is read whole first: `ldconfig -p | grep -q` would let grep stop early, ldconfig
# die of SIGPIPE and pipefail report the library missing when it is there.
ld_cache=$(ldconfig -p 2>/dev/null || true)
has_lib() { grep -qE "^[[:space:]]+$1 " <<<"$ld_cache"; echo $?; }

py_has() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; echo $?; }
if [ "$target" = bench ]; then
  # The peers of `chapters bench cpu|cnn`; without OpenBLAS NumPy runs the (slow) reference BLAS.
  want "$(py_has numpy)" "numpy" python3-numpy
  want "$(py_has torch)" "torch" python3-torch
  want "$(has_lib libopenblas.so.0)" libopenblas.so.0 libopenblas0-pthread
else
  want "$(has npm)" npm npm
  want "$(has_lib libmpich.so.12)" libmpich.so.12 libmpich-dev
fi
if [ "$target" = test ]; then
  # nvcc/ptxas for `make ptx` and scripts/check-ptx.sh; clang-14 is nvcc 11.8's host compiler and
  # compiles the kernels' host emulation; mpirun.mpich starts the ranks of the launch tests.
  want "$(has nvcc)" nvcc nvidia-cuda-toolkit
  want "$(has ptxas)" ptxas nvidia-cuda-toolkit
  want "$(has clang-14)" clang-14 clang-14
  want "$(has mpirun.mpich)" mpirun.mpich mpich
  # Debian's Chromium for the browser tests (tests/Engine.Tests/Web, driven by Playwright; no browser is downloaded).
  want "$(has chromium)" chromium chromium
  # h5py for the Keras .h5 tests: they read engine-written files with it, beside PureHDF.
  want "$(py_has h5py)" h5py python3-h5py
fi
[ ${#missing[@]} -eq 0 ] && exit 0

# nvidia-cuda-toolkit is in Debian's non-free component, which a default install does not enable.
sources=/etc/apt/sources.list.d/debian.sources
needs_nonfree=0
case " ${packages[*]} " in
  *" nvidia-cuda-toolkit "*) if [ -f "$sources" ] && ! grep -q "non-free" "$sources"; then needs_nonfree=1; fi ;;
esac

apt_line="apt-get install -y --no-install-recommends ${packages[*]}"
wait_lock="-o DPkg::Lock::Timeout=600"  # another apt (e.g. unattended-upgrades) may hold the lock for a while
if [ "$check_only" -eq 1 ] || [ "$(id -u)" -ne 0 ]; then
  hint=""
  [ "$needs_nonfree" -eq 1 ] && hint=" after enabling Debian's non-free component in $sources (sudo bash scripts/install-deps.sh does both)"
  echo "setup: missing ${missing[*]}; install as root: sudo $apt_line$hint" >&2
  exit 1
fi

log=$(mktemp /tmp/install-deps.XXXXXX.log)
echo "setup: missing ${missing[*]}; running: $apt_line (output in $log)"
if [ "$needs_nonfree" -eq 1 ]; then
  sed -i 's/^Components:.*/Components: main contrib non-free non-free-firmware/' "$sources"
fi
if ! { apt-get $wait_lock update -q && DEBIAN_FRONTEND=noninteractive apt-get $wait_lock ${apt_line#apt-get }; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "setup: '$apt_line' failed (last lines above, full log $log)" >&2
  exit 1
fi
rm -f "$log"
# Probe again: a package that installed but does not provide what was missing is an error too.
exec bash "$0" "$target" --check
