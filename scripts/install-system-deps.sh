#!/usr/bin/env bash
# Installs the Debian 12 packages decaylab's tests need (run as root):
#   - Mesa's lavapipe from bookworm-backports (Mesa 25): a CPU Vulkan driver that Dawn accepts;
#     bookworm's own Mesa 22.3 lacks features Dawn requires.
#   - Chromium: the browser-lab tests, and its SwiftShader Vulkan driver for the second GPU-suite run.
#   - python3-torch: the PyTorch reference the optimizer tests compare against;
#   - libopenblas0-pthread: the BLAS the bench's PyTorch peer runs on (bench/systems.ts points that child at it):
#     without it Debian's torch falls back to the reference BLAS, ~15x slower here, which would flatter decaylab.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ] && ! grep -q 'bookworm-backports' "$sources"; then
  # Extends the existing entry, so no mirror host is named here.
  sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' "$sources"
fi
apt-get update -qq
apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
apt-get install -y -qq chromium python3-torch libopenblas0-pthread fonts-dejavu-core >/dev/null
echo "system packages ready: $(dpkg-query -W -f='${Package} ${Version}\n' mesa-vulkan-drivers chromium python3-torch libopenblas0-pthread | tr '\n' ';')"
