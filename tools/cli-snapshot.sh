#!/usr/bin/env bash
# Writes the CLI's outputs (embed, cluster, inspect) for a fixed set of models, folders and ITAE settings into OUT_DIR,
# so that a refactoring can be checked to change no byte: run it on two checkouts and `diff -r` the two folders.
#
#   tools/cli-snapshot.sh OUT_DIR [FOLDER...]      # folders default to sample-data and ../shared/data/photos
#
# Models: the three tiny reference checkpoints of the golden tests (original, 4 registers in BF16, SwiGLU with
# registers in F16; Hugging Face layout) and a ViT-S/14-shaped checkpoint with random weights (seed 7). Each run gets
# an empty cache, so nothing is read back from an earlier run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "$1")"
shift
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
  folders=("$here/sample-data")
  [ -d "$here/../shared/data/photos" ] && folders+=("$(realpath "$here/../shared/data/photos")")
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
(cd "$here" && mvn -o -q -B -DskipTests test-compile >/dev/null)
cp="$here/target/test-classes:$here/target/classes:$(cat "$here/target/classpath.txt")"
java -cp "$cp" org.itaestudio.ui.SyntheticModelFiles "$tmp/vits14.safetensors" small >/dev/null
fx="$here/src/test/resources/fixtures"
models=("orig=$fx/orig/hf" "reg4=$fx/reg4/hf" "swiglu=$fx/swiglu_reg4/hf" "vits14=$tmp/vits14.safetensors")
itae_sets=("off=" "paper=--itae-threshold auto" "kall=--itae-component k --itae-direction above --itae-threshold 1.5 --itae-rows all --itae-strength 0.5 --itae-layers 0,1")
export HF_HUB_OFFLINE=1 HF_HUB_CACHE="$tmp/hf"
cli() { ITAE_STUDIO_CACHE="$tmp/cache-$RANDOM$RANDOM" "$here/itae-studio" "$@"; }
for m in "${models[@]}"; do
  name="${m%%=*}" spec="${m#*=}"
  for folder in "${folders[@]}"; do
    # the ViT-S-sized model runs on the first folder only (it costs ~100x a tiny model)
    if [ "$name" = vits14 ] && [ "$folder" != "${folders[0]}" ]; then continue; fi
    fname="$(basename "$folder")"
    first="$(cd "$folder" && find . -type f \( -iname '*.jpg' -o -iname '*.png' \) | sort | head -1)"
    for s in "${itae_sets[@]}"; do
      sname="${s%%=*}"
      read -r -a opts <<< "${s#*=}"
      tag="$name-$fname-$sname"
      cli embed --model "$spec" --input "$folder" --output "$out/$tag-embed.csv" "${opts[@]}" 2> "$out/$tag-embed.err" || echo "exit $?" >> "$out/$tag-embed.err"
      cli cluster --model "$spec" --input "$folder" --k 3 --output "$out/$tag-cluster.csv" "${opts[@]}" 2> "$out/$tag-cluster.err" || echo "exit $?" >> "$out/$tag-cluster.err"
      cli inspect --model "$spec" --image "$folder/$first" --layer 1 --output "$out/$tag-inspect.json" "${opts[@]}" 2> "$out/$tag-inspect.err" || echo "exit $?" >> "$out/$tag-inspect.err"
    done
    cli embed --model "$spec" --input "$folder" --output "$out/$name-$fname-nocrop-mean.csv" --crop none --image-size 224 --pooling mean 2> /dev/null || true
  done
done
# stderr holds progress lines with timings: keep only lines that are not progress, so the folders can be compared
for f in "$out"/*.err; do grep -v -E '[0-9]+(\.[0-9]+)? ?(images/s|img/s|s\b)|ETA|%' "$f" > "$f.tmp" || true; mv "$f.tmp" "$f"; done
echo "wrote $(ls "$out" | wc -l) files to $out"
