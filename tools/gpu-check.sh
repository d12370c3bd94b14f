#!/usr/bin/env bash
# The first run on a Linux machine with an NVIDIA GPU, in one go (a few minutes after the downloads):
#   1. installs Java 17+ and Maven from Debian/Ubuntu packages when they are missing (needs root or sudo),
#   2. builds with the CUDA libtorch (maven profile gpu; Maven downloads it on the first build),
#   3. runs the model's numerics tests (DinoV2GoldenTest against the official-code goldens, DinoV2BehaviourTest)
#      on the GPU, with their CPU tolerances,
#   4. times our engine on the GPU (ViT-S/14 and ViT-B/14, batch 1 and 8) and, where torch with CUDA is installed
#      for python3, the PyTorch reference on the same GPU with the same weights and inputs,
#   5. prints one table.
# Without a GPU (or with CPU_FALLBACK=1) steps 3 and 4 run on the CPU, which checks the script itself.
#   tools/gpu-check.sh                 # everything
#   ITERATIONS=50 tools/gpu-check.sh   # more timed forwards (default 20, after 5 warm-up)
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHS=${ARCHS:-vits14,vitb14}
BATCHES=${BATCHES:-1,8}
WARMUP=${WARMUP:-5}
ITERATIONS=${ITERATIONS:-20}
PYTHON=${PYTHON:-python3}
read -r -a mvn_flags <<<"${MVN_FLAGS:-}"  # e.g. MVN_FLAGS=-o where the dependencies are already local
work=$(mktemp -d "${TMPDIR:-/tmp}/itae-gpu-check.XXXXXX")
log="$work/log.txt"
echo "work folder and logs: $work"

device=gpu
if [ "${CPU_FALLBACK:-0}" = 1 ] || ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "no NVIDIA GPU visible (nvidia-smi -L failed) or CPU_FALLBACK=1: checking on the CPU instead"
  device=cpu
fi

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] || ! command -v mvn >/dev/null 2>&1; then
  echo "installing Java 17 and Maven (apt-get)"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q >>"$log" 2>&1
  if ! "${sudo_cmd[@]}" apt-get install -y -q openjdk-17-jdk-headless maven >>"$log" 2>&1; then
    "${sudo_cmd[@]}" apt-get install -y -q default-jdk-headless maven >>"$log" 2>&1
  fi
fi

profile=()
[ "$device" = gpu ] && profile=(-Pgpu)
echo "building (mvn ${profile[*]} test-compile)"
mvn -B -q -ntp "${mvn_flags[@]}" "${profile[@]}" -DskipTests test-compile >>"$log" 2>&1 || { tail -n 40 "$log"; exit 1; }

echo "numerics tests on $device"
tests_status=passed
if ! mvn -B -ntp "${mvn_flags[@]}" "${profile[@]}" surefire:test -Dtest='DinoV2GoldenTest,DinoV2BehaviourTest' \
    -Dsurefire.failIfNoSpecifiedTests=false -Ditae.test.device="$device" >"$work/tests.txt" 2>&1; then
  tests_status=FAILED
fi
tests_summary=$(grep -E "Tests run:.*Fail" "$work/tests.txt" | tail -n 1 | sed 's/^\[[A-Z]*\] *//' || true)

echo "timing our engine on $device"
cp="target/classes:$(cat target/classpath.txt)"
java -Dai.djl.offline=true -cp "$cp" org.itaestudio.bench.DeviceBenchmark "$device" "$work" "$ARCHS" "$BATCHES" \
  "$WARMUP" "$ITERATIONS" >"$work/ours.txt" 2>>"$log" || { tail -n 40 "$log"; exit 1; }

peer_note=""
: >"$work/pytorch.txt"
if [ "$device" = gpu ]; then
  if "$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" >>"$log" 2>&1; then
    echo "timing PyTorch on the GPU"
    "$PYTHON" tools/gpu_bench_pytorch.py "$work" "$ARCHS" "$BATCHES" "$WARMUP" "$ITERATIONS" >"$work/pytorch.txt" 2>>"$log" \
      || peer_note="PyTorch peer failed (see $log)"
  else
    peer_note="PyTorch peer skipped: $PYTHON has no torch with CUDA (pip install torch, then rerun)"
  fi
else
  peer_note="PyTorch peer skipped: no GPU"
fi

echo
echo "## GPU check, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- Machine: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1 || echo "no GPU"); $(nproc) CPU cores; device used: $device"
echo "- Java: $(java -version 2>&1 | head -n 1); build: mvn ${profile[*]:-(CPU)}"
echo "- Numerics tests on $device (official-code goldens, tolerances as on the CPU): $tests_status ($tests_summary)"
sed -n 's/^AGREE /- Agreement: /p' "$work/ours.txt" "$work/pytorch.txt" 2>/dev/null || true
[ -n "$peer_note" ] && echo "- $peer_note"
echo "- $WARMUP warm-up + $ITERATIONS timed forwards per row, 224 x 224 px, synthetic weights (seed 1) and inputs (seed 2024)"
echo
echo "| model | batch | engine | ms/batch median (min-max) | images/s |"
echo "|---|---:|---|---:|---:|"
sed -n 's/^ROW //p' "$work/ours.txt" "$work/pytorch.txt" 2>/dev/null | sort -s -t'|' -k2,2 -k3,3n
[ "$tests_status" = passed ]
