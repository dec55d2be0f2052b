#!/usr/bin/env bash
# Writes src/Engine/Vision/imagenet_classes.txt: the 1000 ImageNet (ILSVRC-2012) class names in the
# standard index order Keras's and PyTorch's ImageNet models use, one "index<TAB>names" line each, taken
# from dist/imagenet_classes.js of the npm package @tensorflow-models/mobilenet@2.1.1 (Apache-2.0,
# Copyright 2019 Google LLC). Needs npm and node; the result is committed, so builds need neither.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=@tensorflow-models/mobilenet@2.1.1
out=src/Engine/Vision/imagenet_classes.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "$pkg" --silent >/dev/null && tar xzf ./*.tgz)
node -e '
const c = require(process.argv[1]).IMAGENET_CLASSES;
const lines = ["# ImageNet class names by index, from dist/imagenet_classes.js of npm " + process.argv[2],
  "# (Apache-2.0, Copyright 2019 Google LLC); written by scripts/imagenet-classes.sh."];
for (let i = 0; i < 1000; i++) lines.push(i + "\t" + c[i]);
process.stdout.write(lines.join("\n") + "\n");
' "$tmp/package/dist/imagenet_classes.js" "$pkg" > "$out.part"
[ "$(grep -vc '^#' "$out.part")" = 1000 ] || { echo "imagenet-classes: expected 1000 classes in $out.part" >&2; exit 1; }
mv -f "$out.part" "$out"
echo "imagenet-classes: wrote $out"
