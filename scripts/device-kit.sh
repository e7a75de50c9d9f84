#!/usr/bin/env bash
# Checks the webgpu kernels against the js backend and runs `npm run bench --
# webgpu` on a machine with a real GPU and no Node.js
# (the workplace's `device` machine: NVIDIA, Vulkan driver present, no
# network, no Vulkan loader, no Node). Two steps:
#
#   bash scripts/device-kit.sh pack   here: builds .device/ (git-ignored):
#       Node's binary (xz), Dawn's dawn.node (xz) and its loader, the check
#       and bench (bench/webgpu/main.ts) bundled with all their JavaScript, and
#       Debian's Vulkan loader and GL dispatch packages (NVIDIA's Vulkan
#       driver library links libGLdispatch), and scripts/device-probe.mjs.
#   bash scripts/device-kit.sh run    there, with `.device` carried: unpacks
#       the loader and Node, runs the check and the bench, and writes their
#       output to $OUT/webgpu-bench.txt (exit status 1 if a check failed).
#
#   bash scripts/device-kit.sh exec X.mjs   there: the same set-up, then
#       .device/X.mjs (an experiment bundled like the bench) into $OUT/X.txt.
#
# The device tool's call, once packed:
#   run(command: "bash scripts/device-kit.sh run", carry: [".device"], timeout_s: 420)
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.device

pack() {
  rm -rf "$kit"
  mkdir -p "$kit/node_modules/webgpu/dist/linux-x64" "$kit/debs"
  xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > "$kit/node.xz"
  cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$kit/node_modules/webgpu/"
  cp scripts/device-probe.mjs "$kit/"
  xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$kit/dawn.node.xz"
  npx esbuild bench/webgpu/main.ts --bundle --platform=node --format=esm --target=es2022 \
    --loader:.wgsl=text --external:webgpu --log-level=warning --outfile="$kit/bench-webgpu.mjs" \
    --banner:js="import { createRequire as kitCreateRequire } from 'node:module'; const require = kitCreateRequire(import.meta.url);"
  (cd "$kit/debs" && apt-get download libvulkan1 libglvnd0 libglx0 libegl1 >/dev/null 2>&1)
  du -sh "$kit"
}

# Unpacks the loader, Node and dawn.node there; sets $node to Node's binary.
setup() {
  [ -d "$kit" ] || { echo "no $kit here: run '$0 pack' first and carry .device" >&2; exit 1; }
  export PATH="$PATH:/usr/sbin:/sbin"
  # Debian's Vulkan loader and GL dispatch, unpacked into / as the device README says (only where the machine lacks them).
  if ! ldconfig -p | grep 'libvulkan.so.1 ' >/dev/null || ! ldconfig -p | grep 'libGLdispatch.so.0 ' >/dev/null; then
    for f in "$kit"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
  # The kit carries no native addon (the device has no OpenBLAS), which is what
  # sets glibc's malloc up for large arrays in an installed tmnn
  # (src/backends/native/malloc.ts): the same settings, through glibc's own
  # variables, so read-backs land in reused memory as they would there.
  export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=134217728
  node=/tmp/tmnn-kit-node
  xz -dc "$kit/node.xz" > "$node" && chmod +x "$node"
  xz -dc "$kit/dawn.node.xz" > "$kit/node_modules/webgpu/dist/linux-x64/dawn.node"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
}

# Runs .device/$1 with the kit's Node (any further words before it: a command
# prefix such as `timeout 60`), its output, less Dawn's limit warnings, also in $OUT/$2.txt.
run_bundled() {
  local script=$1 name=$2; shift 2
  (cd "$kit" && "$@" "$node" "$script") 2>&1 | grep -v 'artificially reduced' | tee "${OUT:-/tmp}/$name.txt"
}

run() {
  setup
  run_bundled device-probe.mjs adapter timeout 60 || true
  # With Dawn's allow_unsafe_apis, so that an adapter's int8 subgroup matrices
  # (tensor cores) are checked and timed among the int8 kernels.
  TMNN_WEBGPU_UNSAFE_APIS=1 run_bundled bench-webgpu.mjs webgpu-bench
}

# Runs another script bundled into .device (an experiment: esbuild it as pack
# bundles the bench), its output in $OUT/<name>.txt.
exec_script() {
  setup
  run_bundled "$(basename "$1")" "$(basename "$1" .mjs)"
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  exec) exec_script "$2" ;;
  *) echo "usage: $0 pack|run|exec FILE.mjs" >&2; exit 2 ;;
esac
