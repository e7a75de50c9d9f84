#!/usr/bin/env bash
# Installs the Debian packages tmnn's backends and tests use (see DESIGN.md):
# Mesa 25 lavapipe from bookworm-backports (a real WebGPU adapter without a GPU),
# the Vulkan loader, OpenBLAS and KissFFT for the native backend, and
# Chromium for the browser test. Idempotent: does nothing when everything is already present.
# Needs root and apt; without them it says what is missing and exits 0, since
# tmnn still runs (native without an adapter, js without OpenBLAS).
set -euo pipefail

wanted=(libvulkan1 libopenblas-dev libkissfft-dev chromium mesa-vulkan-drivers pkg-config)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Bookworm's own Mesa (22) is too old for Dawn; lavapipe must come from backports.
mesa_version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
case "$mesa_version" in
  2[5-9].*|[3-9][0-9].*) ;;
  *) [[ " ${missing[*]} " == *" mesa-vulkan-drivers "* ]] || missing+=(mesa-vulkan-drivers) ;;
esac

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system packages missing: ${missing[*]}"
  echo "  (not root or no apt-get: install them by hand; tmnn falls back to the native or js backend meanwhile)"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ -f /etc/apt/sources.list.d/debian.sources ] && [ ! -f /etc/apt/sources.list.d/backports.sources ] \
   && grep -q 'bookworm' /etc/apt/sources.list.d/debian.sources; then
  awk 'BEGIN{RS="";ORS="\n\n"} /Suites: bookworm bookworm-updates/' \
    /etc/apt/sources.list.d/debian.sources \
    | sed 's/^Suites:.*/Suites: bookworm-backports/' \
    > /etc/apt/sources.list.d/backports.sources
fi
apt-get update -qq
if grep -qs bookworm-backports /etc/apt/sources.list.d/backports.sources; then
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers
else
  apt-get install -y -qq mesa-vulkan-drivers
fi
apt-get install -y -qq libvulkan1 libopenblas-dev libkissfft-dev chromium pkg-config
echo "system packages: installed ${missing[*]}"
