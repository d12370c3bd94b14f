#!/usr/bin/env bash
# Spark's overhead: `spark embed-cluster --master local[2]` against the single-process `embed` on the same images,
# model and settings, interleaved rounds (this machine's speed swings; compare within a round).
#
#   tools/spark-overhead.sh [IMAGES] [ROUNDS] [SIZE]     # defaults: 2000 CIFAR-10 test images, 2 rounds, 224 px
#
# Images: the first IMAGES of ../shared/data/cifar10-test (class folders, sorted). Model: a ViT-S/14-shaped
# checkpoint with random weights (ui.SyntheticModelFiles, seed 7; speed does not depend on the weights). Both
# commands run without caches; the Spark job also clusters (--k 10, MLlib k-means) and writes its Parquet tables,
# `embed` writes its CSV. Wall time is the whole command, JVM start-up and model load included.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-2000}"; rounds="${2:-2}"; size="${3:-224}"
data="$here/../shared/data/cifar10-test"
[ -d "$data" ] || { echo "spark-overhead: $data not found" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/in"
(cd "$data" && find . -name '*.jpg' | sort | sed -n "1,${n}p") | while read -r f; do
  mkdir -p "$tmp/in/$(dirname "$f")"; cp "$data/$f" "$tmp/in/$f"; done
(cd "$here" && mvn -o -q -B -DskipTests test-compile >/dev/null)
java -cp "$here/target/test-classes:$here/target/classes:$(cat "$here/target/classpath.txt")" \
  org.itaestudio.ui.SyntheticModelFiles "$tmp/vits14.safetensors" small >/dev/null
"$here/itae-studio" spark --help >/dev/null   # builds the module once, outside the timings
export ITAE_STUDIO_CACHE="$tmp/cache"
opts=(--model "$tmp/vits14.safetensors" --image-size "$size" --crop "$size" --batch-size 8)
echo "images=$n size=$size rounds=$rounds load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  s=$(date +%s.%N)
  "$here/itae-studio" embed "${opts[@]}" --no-cache --input "$tmp/in" --output "$tmp/emb.csv" 2>/dev/null
  e=$(date +%s.%N)
  rm -rf "$tmp/out"
  "$here/itae-studio" spark embed-cluster "${opts[@]}" --master 'local[2]' --k 10 --input "$tmp/in" \
    --output "$tmp/out" > "$tmp/job.json" 2>/dev/null
  f=$(date +%s.%N)
  python3 - "$s" "$e" "$f" "$r" "$n" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import sys
s, e, f = map(float, sys.argv[1:4]); r, n, load = sys.argv[4], int(sys.argv[5]), sys.argv[6]
emb, spk = e - s, f - e
print(f"round {r}: embed {emb:.1f} s ({n/emb:.1f} img/s), spark local[2] {spk:.1f} s ({n/spk:.1f} img/s), "
      f"spark/embed {spk/emb:.3f} (overhead {100*(spk/emb-1):+.1f} %), load {load}")
PY
done
