#!/usr/bin/env bash
# Lavapipe (Mesa's software Vulkan, the WebGPU adapter here) backs every live
# descriptor set — every WebGPU bind group not yet garbage-collected — with a
# 4 KB memory mapping of its own. A test file that dispatches many kernels can
# hold tens of thousands before V8 collects the bind groups, and at Linux's
# default limit of 65,530 mappings per process the next mmap fails; Mesa 25's
# lavapipe then writes through the failed mapping and the process dies with
# SIGSEGV (seen in CI: a vitest worker "exited unexpectedly", its core showing
# 64,003 such mappings). This raises the limit to 262,144 (what Elasticsearch
# and others ask for) when run as root, and says so otherwise. Real GPUs'
# drivers do not map descriptor sets one by one.
set -euo pipefail

want=262144
have=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo "$want")
if [ "$have" -ge "$want" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && sysctl -q -w vm.max_map_count="$want" 2>/dev/null; then
  echo "vm.max_map_count: raised from $have to $want (lavapipe maps each WebGPU bind group; scripts/raise-map-count.sh)"
else
  echo "vm.max_map_count is $have: long WebGPU runs on lavapipe may crash at that many mappings; as root: sysctl -w vm.max_map_count=$want"
fi
