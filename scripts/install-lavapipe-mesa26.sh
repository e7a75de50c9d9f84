#!/usr/bin/env bash
# A second lavapipe, for the tests of the int8 product on subgroup matrices
# (shaders/matmul_int8_matrix.wgsl): the Mesa 25 that bookworm-backports
# gives has no VK_KHR_cooperative_matrix, so Dawn lists no subgroup matrices
# on it; Mesa 26's lavapipe has them (i8 8×8×8). Bookworm has no Mesa 26, so
# this takes Debian trixie-backports' with the trixie libraries it needs, each
# verified by apt against Debian's archive keys, unpacked into a private
# directory — nothing is installed on the system, and no root is needed.
# A process that should see it runs under that directory's dynamic loader:
#
#   VK_ICD_FILENAMES=$dir/icd.json $dir/root/$LIB/ld-linux-*.so.* --library-path $dir/root/$LIB node …
#
# (test/backends/webgpu/second_adapter.test.ts does this; lavapipe.json
# names the paths). Idempotent: does nothing when the directory is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/lavapipe-mesa26
[ -f "$dir/lavapipe.json" ] && { echo "lavapipe (Mesa 26, subgroup matrices): present in $dir"; exit 0; }

case "$(uname -m)" in
  x86_64) arch=amd64 triplet=x86_64-linux-gnu ldso=ld-linux-x86-64.so.2 ;;
  aarch64) arch=arm64 triplet=aarch64-linux-gnu ldso=ld-linux-aarch64.so.1 ;;
  *) echo "lavapipe (Mesa 26): no Debian build for $(uname -m)"; exit 0 ;;
esac
if ! command -v apt-get >/dev/null || [ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
  echo "lavapipe (Mesa 26): needs apt-get and debian-archive-keyring (a Debian system); the subgroup-matrix tests will say so"
  exit 0
fi

rm -rf "$dir" && mkdir -p "$dir"/apt/{state/lists/partial,cache/archives/partial,etc/apt.conf.d,etc/preferences.d,etc/sources.list.d}
touch "$dir/apt/state/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$dir/apt/etc/sources.list" <<EOF
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian trixie main
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian trixie-backports main
EOF
apt_dir=$(realpath "$dir/apt")
# An apt of its own: its own lists, cache and an empty dpkg status, so that it
# resolves every dependency from trixie and leaves the system's apt untouched.
apt=(apt-get -q -o "Dir::State=$apt_dir/state" -o "Dir::State::status=$apt_dir/state/status" -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Etc=$apt_dir/etc" -o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list" -o "Dir::Etc::sourceparts=$apt_dir/etc/sources.list.d"
  -o "Dir::Etc::parts=$apt_dir/etc/apt.conf.d" -o "Dir::Etc::preferencesparts=$apt_dir/etc/preferences.d" -o "APT::Architecture=$arch"
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
"${apt[@]}" update >/dev/null
"${apt[@]}" install -y --download-only --no-install-recommends -t trixie-backports mesa-vulkan-drivers >/dev/null
mkdir -p "$dir/root"
for deb in "$apt_dir"/cache/archives/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
rm -rf "$dir/apt"

lib=$(realpath "$dir/root/usr/lib/$triplet")
cat > "$dir/icd.json" <<EOF
{ "file_format_version": "1.0.1", "ICD": { "library_path": "$lib/libvulkan_lvp.so", "api_version": "1.4.0" } }
EOF
cat > "$dir/lavapipe.json" <<EOF
{ "loader": "$lib/$ldso", "libraries": "$lib", "icd": "$(realpath "$dir/icd.json")" }
EOF
echo "lavapipe (Mesa 26, subgroup matrices): unpacked into $dir"
