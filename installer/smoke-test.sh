#!/usr/bin/env bash
# Smoke test of an installed or built ITAE Studio: runs its launchers the way a user would, offline, with a fresh
# DJL cache (so the bundled CPU libtorch is unpacked from the app, never downloaded), embedding cache and log folder.
#   installer/smoke-test.sh                              # the app image of `mvn -Pinstaller package`
#   installer/smoke-test.sh /opt/itae-studio             # an installed .deb (or an extracted one)
# Checks: --version; embed of two images (224x224 and 280x224) with the tiny DINOv2 checkpoint of the test fixtures,
# equal to the PyTorch reference goldens within 1e-4; --device gpu on a machine without CUDA prints its note once and
# gives the same CSV; the log file and its start-up facts; one-line errors with exit codes 1 and 2; the desktop
# launcher without a display fails with one line; and, when xvfb-run exists and the build has the UI, the window
# stays up under Xvfb. Prints the time of each step. Linux only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
app="${1:-$root/target/installer/ITAE Studio}"
cli="$app/bin/itae-studio"
gui="$app/bin/ITAE Studio"
fixtures="$root/src/test/resources/fixtures"
expected_version="$(sed -n 's/^version=//p' "$root/target/classes/org/itaestudio/version.properties")"

fail() { echo "smoke-test: FAIL: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
step() { local t; t=$(now_ms); printf 'smoke-test: %-62s %6.1f s\n' "$1" "$(( t - t0 ))e-3"; t0=$t; }
[ -x "$cli" ] || fail "no launcher $cli (build it with: mvn -Pinstaller package)"
[ -n "$expected_version" ] || fail "no target/classes/org/itaestudio/version.properties (build the project first)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" DJL_CACHE_DIR="$work/djl" ITAE_STUDIO_CACHE="$work/cache" HF_HOME="$work/hf" HF_HUB_OFFLINE=1
mkdir -p "$HOME" "$work/photos"
cp "$fixtures/img224.png" "$fixtures/img280x224.png" "$work/photos/"
model="$fixtures/reg4/official.pth"
start=$(now_ms); t0=$start

# --version
out="$("$cli" --version)"
[ "$out" = "ITAE Studio $expected_version" ] || fail "--version printed '$out', expected 'ITAE Studio $expected_version'"
step "--version ($out)"

# embed, first start: unpacks the bundled libtorch into the empty DJL cache
"$cli" embed --model "$model" --input "$work/photos" --output "$work/cpu.csv" --image-size 224 --crop none \
  2> "$work/cpu.err" || { rc=$?; cat "$work/cpu.err" >&2; fail "embed exited with $rc"; }
ls -d "$DJL_CACHE_DIR"/pytorch/2.5.1-*cpu* > /dev/null 2>&1 || fail "libtorch was not unpacked into $DJL_CACHE_DIR"
step "embed, first start (libtorch unpacked: $(du -sh "$DJL_CACHE_DIR" | cut -f1))"

# the CSV: header, rows sorted by path, values equal to the reference embeddings
[ "$(wc -l < "$work/cpu.csv")" -eq 3 ] || fail "embeddings CSV should have a header and 2 rows: $(cut -c1-80 "$work/cpu.csv")"
[ "$(head -1 "$work/cpu.csv" | cut -d, -f1-3)" = "path,e0,e1" ] || fail "bad CSV header"
[ "$(sed -n '2p;3p' "$work/cpu.csv" | cut -d, -f1 | tr '\n' ' ')" = "img224.png img280x224.png " ] \
  || fail "rows not sorted by path"
compare() { # compare CSV row $1 with the "embedding" of golden $2; tolerance 1e-4 (as CliContractTest)
  local golden="$fixtures/golden/$2"
  awk -F, -v row="$1" 'NR == row { for (i = 2; i <= NF; i++) print $i }' "$work/cpu.csv" > "$work/actual.txt"
  grep -o '"embedding":\[[^]]*\]' "$golden" | head -1 | sed 's/.*\[//; s/\]//' | tr ',' '\n' > "$work/expected.txt"
  paste "$work/actual.txt" "$work/expected.txt" | awk -v name="$2" '
    { n++; d = $1 - $2; if (d < 0) d = -d; if (d > max) max = d; if ($2 == "") missing = 1 }
    END { if (n != 128 || missing) { print "smoke-test: FAIL: " name ": " n " values, expected 128"; exit 1 }
          if (max > 1e-4) { print "smoke-test: FAIL: " name ": max abs diff " max " > 1e-4"; exit 1 }
          printf "smoke-test:   %s: 128 values, max abs diff %.2g\n", name, max }'
}
compare 2 reg4__img224__off.json
compare 3 reg4__img280x224__off.json
step "embeddings equal the PyTorch reference"

# --device gpu without CUDA: one note, same result
"$cli" embed --model "$model" --input "$work/photos" --output "$work/gpu.csv" --image-size 224 --crop none --no-cache \
  --device gpu 2> "$work/gpu.err" || { cat "$work/gpu.err" >&2; fail "embed --device gpu failed"; }
notes=$(grep -c "note: no CUDA GPU usable" "$work/gpu.err" || true)
if grep -q "running on GPU" "$ITAE_STUDIO_CACHE/logs/itae-studio.log"; then
  echo "smoke-test:   a CUDA GPU is usable here: no fallback note expected"
else
  [ "$notes" -eq 1 ] || { cat "$work/gpu.err" >&2; fail "--device gpu printed the CPU note $notes times, expected once"; }
  cmp -s "$work/cpu.csv" "$work/gpu.csv" || fail "--device gpu (CPU fallback) gave a different CSV"
fi
step "embed --device gpu (fallback note once, same CSV)"

# the log file: start-up facts from the bundled runtime
log="$ITAE_STUDIO_CACHE/logs/itae-studio.log"
[ -f "$log" ] || fail "no log file $log"
for fact in "ITAE Studio $expected_version starting" "Java 17" "$app/lib/runtime" "bundled libtorch 2.5.1" \
    "offline=true" "device: requested gpu" "exit code 0"; do
  grep -qF "$fact" "$log" || { cat "$log" >&2; fail "log file lacks '$fact'"; }
done
step "log file with start-up facts ($(wc -l < "$log") lines)"

# errors: one line on stderr and the documented exit codes
set +e
"$cli" embed --model "$work/missing.pth" --input "$work/photos" --output "$work/x.csv" 2> "$work/err1"; rc1=$?
"$cli" embed --model "$model" --output "$work/x.csv" 2> "$work/err2"; rc2=$?
set -e
[ "$rc1" -eq 1 ] && [ "$(wc -l < "$work/err1")" -eq 1 ] && grep -q "^itae-studio: model path not found: .*missing.pth" "$work/err1" \
  || { cat "$work/err1" >&2; fail "missing model: exit $rc1, expected 1 and one line naming the file"; }
[ "$rc2" -eq 2 ] || { cat "$work/err2" >&2; fail "usage error: exit $rc2, expected 2"; }
grep -q "command failed" "$log" || fail "the failure's stack trace is not in the log file"
set +e
JAVA_TOOL_OPTIONS=-Ditae.debug=true "$cli" embed --model "$work/missing.pth" --input "$work/photos" \
  --output "$work/x.csv" 2> "$work/err3"
set -e
grep -q "^[[:space:]]at org.itaestudio" "$work/err3" || { cat "$work/err3" >&2; fail "-Ditae.debug=true shows no stack trace"; }
step "errors: missing model exit 1 (one line), usage exit 2, debug trace"

# the product only: the benchmarks (src/bench/java) and their CLI entry are not in the app's jar, so no bench command
app_jar="$(ls "$app"/lib/app/itae-studio-*.jar)"
jar_listing="$(jar tf "$app_jar")"
grep -q "^org/itaestudio/cli/ItaeStudioCommand.class$" <<< "$jar_listing" || fail "$app_jar lacks the CLI"
! grep -q "^org/itaestudio/bench/\|^META-INF/services/org.itaestudio.cli" <<< "$jar_listing" \
  || fail "$app_jar holds the benchmarks: $(grep "bench" <<< "$jar_listing" | head -3)"
set +e
"$cli" bench --quick > /dev/null 2> "$work/bench.err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -qF "itae-studio: Unknown option: '--quick'" "$work/bench.err" \
  || { cat "$work/bench.err" >&2; fail "itae-studio bench in the app: exit $rc, expected 2 (no such command)"; }
step "app jar without the benchmarks; no bench command"

# without ITAE_STUDIO_CACHE the log goes to the user's state directory ($XDG_STATE_HOME, default ~/.local/state;
# Java takes the home directory from the user database, not $HOME, so the XDG variable keeps this test in $work)
env -u ITAE_STUDIO_CACHE XDG_STATE_HOME="$work/state" "$cli" --version > /dev/null
[ -f "$work/state/itae-studio/itae-studio.log" ] || fail "no log file in \$XDG_STATE_HOME/itae-studio"
step "log file in \$XDG_STATE_HOME/itae-studio without ITAE_STUDIO_CACHE"

# the desktop launcher without a display: one line and exit 1, never a hang
set +e
env -u DISPLAY -u WAYLAND_DISPLAY timeout 120 "$gui" --model "$model" "$work/photos" > /dev/null 2> "$work/gui.err"; rc=$?
set -e
# (GTK may add its own warning line; what counts is our one line and no stack trace)
[ "$rc" -eq 1 ] && grep -q "^itae-studio: " "$work/gui.err" && ! grep -q "Exception\|^[[:space:]]at " "$work/gui.err" \
  || { cat "$work/gui.err" >&2; fail "desktop launcher without a display: exit $rc, expected 1, one line, no trace"; }
step "desktop launcher without a display: exit 1, one line"

# the window under Xvfb (needs xvfb-run)
if ! command -v xvfb-run > /dev/null; then
  echo "smoke-test: skipped the Xvfb start: xvfb-run not installed (apt-get install xvfb)"
else
  # user.home in $work: the app's preferences (java.util.prefs) stay out of the real home
  JAVA_TOOL_OPTIONS="-Duser.home=$HOME" setsid xvfb-run -a -s "-screen 0 1280x800x24" "$gui" --model "$model" "$work/photos" \
    > "$work/xvfb.out" 2> "$work/xvfb.err" &
  pid=$!
  for _ in $(seq 1 30); do sleep 1; kill -0 "$pid" 2> /dev/null || break; done
  if kill -0 "$pid" 2> /dev/null; then
    kill -TERM -- "-$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  else
    cat "$work/xvfb.err" >&2
    fail "the app exited under Xvfb within 30 s"
  fi
  ! grep -q "Exception" "$work/xvfb.err" || { cat "$work/xvfb.err" >&2; fail "exceptions while the window was up"; }
  step "desktop app under Xvfb: window up for 30 s, no exceptions"
fi

printf 'smoke-test: OK (%s) in %.0f s\n' "$app" "$(( $(now_ms) - start ))e-3"
