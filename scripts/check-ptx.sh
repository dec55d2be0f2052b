#!/usr/bin/env bash
# Builds kernels.cu to PTX (make ptx) and assembles it for the H100 (sm_90) with ptxas -v,
# failing when any kernel spills registers to local memory. Prints one summary line and writes
# the full report to out/ptxas-sm_90.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvcc >/dev/null || ! command -v ptxas >/dev/null; then
  echo "check-ptx: nvcc/ptxas not found; run scripts/install-deps.sh (Debian nvidia-cuda-toolkit)." >&2
  exit 1
fi
make -s ptx
mkdir -p out
report=out/ptxas-sm_90.txt
ptxas -arch=sm_90 -v src/Kernels/Ptx/kernels.ptx -o /dev/null >"$report" 2>&1
kernels=$(grep -c "Compiling entry function" "$report" || true)
spilling=$( (grep -E "[1-9][0-9]* bytes spill (stores|loads)" "$report" || true) | wc -l)
maxregs=$( (grep -o "Used [0-9]* registers" "$report" || true) | grep -o "[0-9]*" | sort -n | tail -n 1)
echo "check-ptx: ${kernels} kernels assembled for sm_90, max ${maxregs} registers, ${spilling} with spills (report: ${report})"
if [ "$kernels" -eq 0 ]; then echo "check-ptx: ptxas compiled no kernels" >&2; exit 1; fi
if [ "$spilling" -ne 0 ]; then
  grep -B2 -E "[1-9][0-9]* bytes spill" "$report" >&2
  exit 1
fi
