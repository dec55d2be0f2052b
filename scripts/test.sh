#!/usr/bin/env bash
# Runs the NUnit suite and prints one closing line: "N passed, N failed, N skipped".
set -u
config=${1:-Release}
results=TestResults
rm -rf "$results"
dotnet test Engine.sln -c "$config" --no-build --logger "trx;LogFileName=results.trx" \
  --logger "console;verbosity=normal" --results-directory "$results"
status=$?
trx=$(ls "$results"/*.trx 2>/dev/null | head -n 1)
if [ -z "$trx" ]; then
  echo "0 passed, 1 failed (no test results were written)"
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
errors=$(get error)
failed=$((failed + ${errors:-0}))
skipped=$((total - executed))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
