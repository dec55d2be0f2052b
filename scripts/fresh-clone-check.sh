#!/usr/bin/env bash
# Proves that a fresh clone needs only its two commands: clones REF (default main) of this repository
# into a temporary folder and runs `make test` and `make run` there with the set-up packages absent.
#
#   sudo scripts/fresh-clone-check.sh [REF]        logs in out/fresh-clone-check/ (FRESH_LOGS to move them)
#
# Nothing on this machine changes: the whole check runs in a private mount namespace, chrooted into an
# overlay of / whose writes land in a temporary folder that is deleted at the end. Inside it:
#   1. the set-up packages are removed — nvidia-cuda-toolkit (nvcc, ptxas), clang-14, mpich,
#      libmpich-dev, libmpich12 and nodejs (npm) — and Debian's non-free component is disabled, so
#      apt-get sees the packages, binaries and libraries as a fresh machine would (their own
#      dependencies stay, as does the .NET SDK and the NuGet cache);
#   2. as an unprivileged user, `make test` and `make run` must stop at once with one line naming
#      the apt-get command (and exit non-zero);
#   3. as root, `make test` must install the packages itself and pass ("N passed, 0 failed, …"), then
#      `make run` must end with "… checks passed, 0 failed" and exit 0.
# Prints one line per step and "fresh-clone-check: PASS" or "FAIL"; exits 0 only on PASS.
set -euo pipefail
ref=${1:-main}
repo=$(cd "$(dirname "$0")/.." && pwd)
logs=${FRESH_LOGS:-$repo/out/fresh-clone-check}
if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-clone-check: needs root (a mount namespace and an overlay); run: sudo $0 $ref" >&2
  exit 2
fi
git_dir=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir)
git -C "$repo" rev-parse --verify -q "$ref^{commit}" >/dev/null || { echo "fresh-clone-check: no commit '$ref' in $git_dir" >&2; exit 2; }
commit=$(git -C "$repo" rev-parse --short "$ref^{commit}")
tmp=$(mktemp -d /tmp/fresh-clone-check.XXXXXX)
# Deletes the temporary folder only when nothing is mounted under it any more (the namespace is gone).
cleanup() { if grep -q " $tmp/" /proc/mounts; then echo "fresh-clone-check: mounts remain under $tmp; not deleting it" >&2; else rm -rf --one-file-system "$tmp"; fi; }
trap cleanup EXIT
mkdir -p "$tmp"/{upper,work,root} "$logs"
rm -f "$logs"/*.log
echo "fresh-clone-check: $ref ($commit) from $git_dir; overlay in $tmp; logs in $logs"

# The part that runs inside the chroot (the overlay); $1 = ref, $2 = git dir, $3 = log folder.
cat > "$tmp/upper/fresh-inside.sh" <<'INSIDE'
#!/usr/bin/env bash
set -uo pipefail
ref=$1 git_dir=$2 logs=$3
fail=0
step() { printf 'fresh-clone-check: %-58s %s\n' "$1" "$2"; }
[ "$(stat -f -c %T /)" = overlayfs ] || { echo "fresh-clone-check: / is not the overlay; refusing to remove packages" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 UseSharedCompilation=false
apt-get remove -y -q nvidia-cuda-toolkit clang-14 mpich libmpich-dev libmpich12 nodejs >"$logs/0-remove.log" 2>&1
sed -i 's/^Components:.*/Components: main/' /etc/apt/sources.list.d/debian.sources
gone=1
for b in nvcc ptxas clang-14 mpirun.mpich npm; do command -v "$b" >/dev/null && gone=0; done
ldconfig -p | grep -c "libmpich.so.12 " >/dev/null && gone=0
if [ $gone -eq 1 ]; then step "set-up packages removed (overlay only)" ok; else step "set-up packages removed (overlay only)" FAIL; exit 1; fi

mkdir -p /tmp/fresh && git clone -q --no-hardlinks --branch "$ref" "$git_dir" /tmp/fresh/engine 2>"$logs/1-clone.log" \
  || git clone -q --no-hardlinks "$git_dir" /tmp/fresh/engine 2>>"$logs/1-clone.log"
cd /tmp/fresh/engine && git checkout -q "$ref" 2>>"$logs/1-clone.log" || { step "clone $ref" FAIL; exit 1; }
step "clone $ref into /tmp/fresh/engine" "ok ($(git rev-parse --short HEAD))"

for target in test run; do
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp make -s "$target" 2>&1); rc=$?
  echo "$out" > "$logs/2-nonroot-$target.log"
  line=$(echo "$out" | grep -m1 "^setup: missing" || true)
  if [ $rc -ne 0 ] && [ -n "$line" ] && echo "$line" | grep -q "apt-get install"; then step "non-root make $target stops with one line (exit $rc)" ok; echo "    $line"
  else step "non-root make $target stops with one line" "FAIL (exit $rc, see $logs/2-nonroot-$target.log)"; fail=1; fi
done

start=$SECONDS
timeout 5400 make test >"$logs/3-make-test.log" 2>&1; rc=$?
last=$(grep -E "^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$logs/3-make-test.log" | tail -n 1)
if [ $rc -eq 0 ] && echo "$last" | grep -q " 0 failed"; then step "root make test ($((SECONDS - start)) s)" "ok: $last"
else step "root make test ($((SECONDS - start)) s)" "FAIL (exit $rc: ${last:-no closing line}; see $logs/3-make-test.log)"; fail=1; fi
grep -m1 "^setup: missing" "$logs/3-make-test.log" | sed 's/^/    /'

start=$SECONDS
timeout 3600 make run >"$logs/4-make-run.log" 2>&1; rc=$?
last=$(grep -E "[0-9]+ checks passed, [0-9]+ failed" "$logs/4-make-run.log" | tail -n 1)
if [ $rc -eq 0 ] && echo "$last" | grep -q " 0 failed"; then step "root make run ($((SECONDS - start)) s)" "ok: $last"
else step "root make run ($((SECONDS - start)) s)" "FAIL (exit $rc: ${last:-no closing line}; see $logs/4-make-run.log)"; fail=1; fi
cp /tmp/install-deps.*.log "$logs/" 2>/dev/null
exit $fail
INSIDE

# A private mount namespace and PID namespace: the mounts vanish and every process started inside
# is killed when the check ends.
set +e
unshare --mount --pid --fork --propagation private bash -c '
  set -e
  tmp=$1 logs=$2 ref=$3 git_dir=$4
  mount -t overlay overlay -o lowerdir=/,upperdir="$tmp/upper",workdir="$tmp/work" "$tmp/root"
  mount -t proc proc "$tmp/root/proc"
  mount --rbind /dev "$tmp/root/dev"
  mount --rbind /sys "$tmp/root/sys"
  mkdir -p "$tmp/root$logs" && mount --bind "$logs" "$tmp/root$logs"
  exec chroot "$tmp/root" bash /fresh-inside.sh "$ref" "$git_dir" "$logs"
' fresh "$tmp" "$logs" "$ref" "$git_dir"
rc=$?
set -e
if [ $rc -eq 0 ]; then echo "fresh-clone-check: PASS"; else echo "fresh-clone-check: FAIL (logs in $logs)"; fi
exit $rc
