#!/usr/bin/env bash
# Every GPU check in one call, for the GPU machine (it has the NVIDIA driver, nvcc and PyTorch but no
# .NET). Prepare here with `make device-bundle`, then run from the repository root there with bundle/
# carried (the device tool: carry ["bundle"], command "bash scripts/device-check.sh").
# The steps write to a work folder: nvidia-smi.txt, devices.log, gpu-check-quick/ (every op at the
# test sizes, against CpuReference), gpu-check.md (large sizes, timings, against the fast CPU backend,
# CpuReference re-run only on a failing case: docs/gpu.md, "Which CPU oracle each size uses"), bench-cuda.md, the exercises' logs (chapter 25 on
# cuda and over NCCL right after the quick op check), and summary.txt. The device tool brings back at most 8 files
# of $OUT (default out/device), so at the end (or when the script is stopped) $OUT gets summary.txt, the four
# tables (gpu-check-quick.md, gpu-check.md, bench-cuda.md, bench-cnn-cuda.md) and device-check.tar.gz, the whole work folder.
# Exits non-zero when any check fails. Steps run most important first within DEVICE_CHECK_BUDGET seconds.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/device}
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/device-check.XXXXXX")
pack() {
  for f in summary.txt gpu-check-quick/gpu-check.md:gpu-check-quick.md gpu-check.md bench-cuda.md bench-cnn-cuda.md; do
    [ -f "$WORK/${f%%:*}" ] && cp "$WORK/${f%%:*}" "$OUT/${f##*:}"
  done
  tar -czf "$OUT/device-check.tar.gz" -C "$WORK" .
  echo "device-check: $OUT holds summary.txt, the tables and device-check.tar.gz (all of $WORK)"
}
trap pack EXIT
trap "exit 143" TERM INT
B=bundle/chapters
if [ ! -x "$B" ]; then echo "device-check: $B is missing; run \`make device-bundle\` and carry bundle/" >&2; exit 2; fi
export DOTNET_BUNDLE_EXTRACT_BASE_DIR=${TMPDIR:-/tmp}/engine-bundle
export ENGINE_PTX=${ENGINE_PTX:-bundle/kernels.ptx}

# cuBLAS: the loader may not know where the toolkit or the PyTorch wheel keeps libcublas.
if ! ldconfig -p 2>/dev/null | grep -q "libcublas.so"; then
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
           $(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))' 2>/dev/null | sed 's|$|/nvidia/cublas/lib|') \
           $(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null); do
    if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
  done
fi

# NCCL (the nccl backend of 25.2b): the loader may not know the PyTorch wheel's libnccl.so.2 (nvidia-nccl-cu12/13).
if [ -z "${ENGINE_NCCL_LIBRARY:-}" ] && ! ldconfig -p 2>/dev/null | grep -q "libnccl.so.2"; then
  for py in python3 /opt/torch/.venv/bin/python3; do
    d=$("$py" -c 'import nvidia.nccl as m; print(list(m.__path__)[0])' 2>/dev/null) || continue
    if [ -f "$d/lib/libnccl.so.2" ]; then export ENGINE_NCCL_LIBRARY="$d/lib/libnccl.so.2"; break; fi
  done
fi
echo "ENGINE_NCCL_LIBRARY=${ENGINE_NCCL_LIBRARY:-(loader path)}"

# MNIST travels gzipped in the bundle (make device-bundle); unpack it for 24.5. Boston (chapter 25) as is.
if [ -d bundle/data ] && [ -z "${ENGINE_DATA:-}" ]; then
  export ENGINE_DATA=${TMPDIR:-/tmp}/engine-data
  if [ -d bundle/data/mnist ]; then
    mkdir -p "$ENGINE_DATA/mnist"
    for f in bundle/data/mnist/*.gz; do gunzip -c "$f" > "$ENGINE_DATA/mnist/$(basename "$f" .gz)"; done
  fi
  if [ -d bundle/data/boston ]; then mkdir -p "$ENGINE_DATA/boston"; cp bundle/data/boston/* "$ENGINE_DATA/boston/"; fi
fi

status=0
BUDGET=${DEVICE_CHECK_BUDGET:-540}   # seconds for the whole script (the device tool allows 600 per call)
step() { # name, timeout, command… (the timeout shrinks to what is left of the budget)
  local name=$1 limit=$2; shift 2
  local left=$((BUDGET - SECONDS))
  if [ "$left" -lt 20 ]; then echo "$name: skipped, budget spent" | tee -a "$WORK/summary.txt"; status=1; return 0; fi
  [ "$limit" -gt "$left" ] && limit=$left
  local t0=$SECONDS
  timeout "$limit" "$@" > "$WORK/$name.log" 2>&1
  local rc=$?
  echo "$name: exit $rc in $((SECONDS - t0)) s" | tee -a "$WORK/summary.txt"
  [ $rc -ne 0 ] && status=1
  return 0
}
: > "$WORK/summary.txt"
nvidia-smi > "$WORK/nvidia-smi.txt" 2>&1
step devices 30 "$B" devices
cat "$WORK/devices.log"
# First pass with ENGINE_CUDA_SYNC=1: every launch is synchronised and checked, so a kernel fault is
# reported by the op and kernel that caused it (later passes run asynchronously, as users do).
step gpu-check-quick 150 env ENGINE_CUDA_SYNC=1 "$B" gpu-check --require-gpu --quick --out "$WORK/gpu-check-quick"
tail -n 3 "$WORK/gpu-check-quick.log"
# Chapter 25 on the GPU (quick schedules): devices and properties, DataParallel replicas, DDP over NCCL in
# one process (a single GPU holds one NCCL rank), CPU-vs-GPU crossover, pinned copies, float16/bfloat16
# training through the rounding kernels. Each exercise checks its own numbers (exit 0 = every check passed).
step run-25.1-cuda 45 "$B" run 25.1 --device cuda --quick --seed 0 --out "$WORK/exercises-cuda"
step run-25.2-cuda 90 "$B" run 25.2 --device cuda --quick --seed 0 --out "$WORK/exercises-cuda"
step run-25.2b-nccl 90 "$B" run 25.2b --backend nccl --device cuda --quick --seed 0 --out "$WORK/exercises-cuda"
step run-25.3-cuda 120 "$B" run 25.3 --device cuda --quick --seed 0 --out "$WORK/exercises-cuda"
# CUDA_VISIBLE_DEVICES is honoured: an empty list hides the GPU from a fresh process.
step run-25.1-hidden 30 env CUDA_VISIBLE_DEVICES= "$B" run 25.1 --quick --seed 0 --out "$WORK/exercises-hidden"
grep -q "Device.DeviceCount: 0" "$WORK/run-25.1-hidden.log" 2>/dev/null || { echo "run-25.1-hidden: CUDA_VISIBLE_DEVICES= did not hide the GPU" | tee -a "$WORK/summary.txt"; status=1; }
step bench-cuda 150 "$B" bench --device cuda --require-gpu --out "$WORK"
step bench-cnn-cuda 90 "$B" bench cnn --device cuda --require-gpu --out "$WORK"
# Large sizes: CUDA against the fast CPU backend (CpuReference's single-threaded GEMMs alone would take minutes).
step gpu-check 180 "$B" gpu-check --require-gpu --out "$WORK"
tail -n 3 "$WORK/gpu-check.log"
# The exercises that train on the GPU, same seed on both devices (compare the logs).
for id in 20.3.3 24.5; do
  for dev in cuda cpu; do step "run-$id-$dev" 60 "$B" run "$id" --device "$dev" --quick --seed 0 --out "$WORK/exercises-$dev"; done
done
exit $status
