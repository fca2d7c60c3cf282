#!/usr/bin/env bash
# Installs everything t2vlab needs, idempotently, and quickly when it is all there already:
#   1. Debian packages: libtorch-dev (the engine), libgloo-dev (headers of its c10d Gloo backend), libopenblas0-openmp (its BLAS), ffmpeg (video
#      files), g++/make/python3 (the native build), chromium (the report's browser test);
#   2. OpenBLAS with OpenMP selected as the system BLAS (libtorch's matmul/conv speed);
#   3. npm packages (npm ci), which also builds the native addon (native/build.mjs);
#   4. the TypeScript build (dist/).
# Run as root (or with sudo available). Set T2V_SKIP_APT=1 to skip step 1 (e.g. LIBTORCH set).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libtorch-dev libgloo-dev libopenblas0-openmp ffmpeg g++ make python3 chromium)
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

if [ "${T2V_SKIP_APT:-0}" != "1" ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # libtorch links libblas.so.3; make it OpenBLAS's OpenMP build (multi-threaded, fast).
  arch_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
  want="$arch_dir/openblas-openmp/libblas.so.3"
  link="libblas.so.3-$(basename "$arch_dir")"
  if [ -e "$want" ] && [ "$(readlink -f "$arch_dir/libblas.so.3")" != "$(readlink -f "$want")" ]; then
    $SUDO update-alternatives --set "$link" "$want" >/dev/null
    lwant="$arch_dir/openblas-openmp/liblapack.so.3"
    [ -e "$lwant" ] && $SUDO update-alternatives --set "liblapack.so.3-$(basename "$arch_dir")" "$lwant" >/dev/null || true
  fi
fi

# npm packages: reinstall only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi
node native/build.mjs          # no-op when the addon is up to date
npx --no-install tsc -p tsconfig.json
