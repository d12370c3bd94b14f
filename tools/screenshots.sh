#!/usr/bin/env bash
# Saves PNG snapshots of the desktop app's screens (empty state, running, gallery, map, inspector, before/after,
# dark theme, model dialog, no-readable-images state, the Transfer screen) by running the REAL app under Xvfb with
# -Ditae.screenshots=DIR (see org.itaestudio.ui.ScreenshotDirector in src/test/java, which opens the app as
# `itae-studio --model M FOLDER` does, drives it and calls Scene.snapshot).
#
#   tools/screenshots.sh [OUT_DIR] [FOLDER]      # defaults: docs/screenshots, sample-data
#   env: ITAE_SHOTS_MODEL (model spec), ITAE_SHOTS_IMAGE (relative path to inspect), ITAE_SHOTS_K (clusters, 6),
#        ITAE_SHOTS_SCALE (HiDPI render scale, e.g. 2: the screen and the PNGs get that many pixels per point)
#        ITAE_SHOTS_ONLY (transfer: only the Transfer screen's shots; fixes: only the fix comparison's; inspector-ttr: only
#        the inspector's token norms and fixes side by side, calibrating test-time registers on FOLDER),
#        ITAE_SHOTS_TRANSFER_RUNS (keep its run folders there)
#
# Needs: Java 17, Maven (offline is fine once ~/.m2 is filled), xvfb-run, GTK 3 and GL (apt-get install -y xvfb
# libgtk-3-0 libgl1 libgl1-mesa-dri). No pretrained DINOv2 weights exist on the build machines, so the script
# writes a ViT-S/14-shaped checkpoint with random weights (SyntheticWeights, seed 7): the screens are real, but
# the clusters and attention maps are those of an untrained network. Pass ITAE_SHOTS_MODEL=/path/to/model to use a
# real one (a name such as dinov2-small works where the Hugging Face cache has it).
# Preferences and caches go to a temporary directory, so the user's settings are neither used nor changed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-$here/docs/screenshots}")"
folder="$(realpath -m "${2:-$here/sample-data}")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

(cd "$here" && mvn -o -q -B -DskipTests test-compile >/dev/null)
cp="$here/target/test-classes:$here/target/classes:$(cat "$here/target/classpath.txt")"

model="${ITAE_SHOTS_MODEL:-}"
if [ -z "$model" ] && [ "${ITAE_SHOTS_ONLY:-all}" = all ]; then
  model="$tmp/synthetic-vits14-reg4.safetensors"
  java -cp "$cp" org.itaestudio.ui.SyntheticModelFiles "$model" small
fi

# an empty, offline Hugging Face cache: the model dialog then explains a missing dinov2-base
export HF_HUB_CACHE="$tmp/hf" HF_HUB_OFFLINE=1 ITAE_STUDIO_CACHE="$tmp/cache"
# run_app SHOT_DIR FOLDER [extra JVM options...]
run_app() {
  local shots="$1" dir="$2"
  shift 2
  local scale="${ITAE_SHOTS_SCALE:-1}"
  xvfb-run -a -s "-screen 0 $((1600 * scale))x$((1000 * scale))x24" java -Xmx3g -Dai.djl.offline=true -Dprism.order=sw \
    -Dglass.gtk.uiScale="$scale" \
    -Djava.util.prefs.userRoot="$tmp/prefs" -Ditae.home="$here" -Ditae.screenshots="$shots" "$@" \
    -cp "$cp" org.itaestudio.ui.ScreenshotDirector "$model" "$dir"
}
only="${ITAE_SHOTS_ONLY:-all}"
if [ "$only" = all ]; then
run_app "$out" "$folder" -Ditae.screenshots.apply=true -Ditae.screenshots.k="${ITAE_SHOTS_K:-6}" \
  -Ditae.screenshots.image="${ITAE_SHOTS_IMAGE:-space/astronaut.png}"

# the error path: a folder with only broken files
broken="$tmp/broken"
mkdir -p "$broken/sub"
printf 'not a jpeg' > "$broken/holiday.jpg"
head -c 2000 /dev/urandom > "$broken/sub/scan.png"
printf 'GIF89a' > "$broken/sub/anim.gif"
run_app "$tmp/broken-shots" "$broken"
cp "$tmp/broken-shots/no-images.png" "$out/no-images.png" 2>/dev/null || echo "no no-images.png was written" >&2
fi

# the inspector's token norms and fixes side by side (ITAE_SHOTS_ONLY=inspector-ttr runs only this part); by default
# on the tiny S/14-shaped checkpoint of the test-time-register goldens, whose register neurons are planted
if [ "$only" = inspector-ttr ]; then
  [ -n "$model" ] || model="$here/src/test/resources/ttr/s14_tiny.safetensors"
  run_app "$out" "$folder" -Ditae.screenshots.only=inspector-ttr -Ditae.screenshots.image="${ITAE_SHOTS_IMAGE:-everyday/chelsea.png}"
fi

# the Transfer screen (ITAE_SHOTS_ONLY=transfer runs only this part): four short runs on a CIFAR-10 subset from the
# shared test data (3 classes x 60 images, 32 px) with a random teacher of the reproduction benchmark's shape
# (patch 4, dim 192, 6 blocks, 3 heads); skipped where ../shared/data is absent
cifar="$here/../shared/data/cifar10-test"
# cifar_subset OUT N CLASS...: the first N images (sorted paths) of each CIFAR-10 class, in class sub-folders of OUT
cifar_subset() {
  local out="$1" n="$2" c
  shift 2
  for c in "$@"; do
    mkdir -p "$out/$c"
    find "$cifar/$c" -maxdepth 1 -type f | sort | sed -n "1,${n}p" | xargs -I{} cp {} "$out/$c/"
  done
}
if [ "$only" = all ] || [ "$only" = transfer ]; then
  if [ -d "$cifar" ]; then
    tdata="$tmp/transfer-data"
    cifar_subset "$tdata" 60 airplane automobile bird
    model="$tmp/cifar-teacher.safetensors"
    java -cp "$cp" org.itaestudio.ui.SyntheticModelFiles "$model" cifar
    run_app "$out" "$tdata" -Ditae.screenshots.transfer="$tdata" \
      -Ditae.screenshots.transfer.runs="${ITAE_SHOTS_TRANSFER_RUNS:-$tmp/runs}"
  else
    echo "no $cifar: the Transfer screenshots are skipped" >&2
  fi
fi
# the artifact-fix panel and the fix comparison (ITAE_SHOTS_ONLY=fixes runs only this part): a class-labelled
# CIFAR-10 subset (3 classes x 40 images) so the comparison shows ACC/NMI/ARI (k = 8: with random weights and k = 3
# every fix gave the same clusters, which shows no moved images); skipped where ../shared/data is absent
if [ "$only" = all ] || [ "$only" = fixes ]; then
  if [ -d "$cifar" ]; then
    fdata="$tmp/fix-data"
    cifar_subset "$fdata" 40 cat ship truck
    model="${ITAE_SHOTS_MODEL:-$tmp/synthetic-vits14-reg4.safetensors}"
    if [ -z "${ITAE_SHOTS_MODEL:-}" ] && [ ! -f "$model" ]; then
      java -cp "$cp" org.itaestudio.ui.SyntheticModelFiles "$model" small
    fi
    run_app "$out" "$fdata" -Ditae.screenshots.only=fixes -Ditae.screenshots.k=8 \
      -Ditae.screenshots.image="cat/$(ls "$fdata/cat" | head -1)"
  else
    echo "no $cifar: the fix comparison screenshots are skipped" >&2
  fi
fi
# keep the repository light: photo-heavy shots become 256-colour PNGs (ImageMagick, when installed; a `convert` that is
# not ImageMagick, such as a viewer's stand-in earlier on PATH, is skipped)
if convert -version 2>/dev/null | grep -q ImageMagick; then
  for f in "$out"/*.png; do
    if [ "$(stat -c%s "$f")" -gt 300000 ]; then convert "$f" -strip -dither FloydSteinberg -colors 256 "PNG8:$f"; fi
  done
fi
ls -la "$out"
