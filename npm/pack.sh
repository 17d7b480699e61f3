#!/usr/bin/env bash
# Build the npm packages for this machine's platform and `npm pack` them:
#   hookctl-<version>.tgz                    the launcher (bin/hookctl.js), platform packages as optionalDependencies
#   hookctl-cli-<os>-<cpu>[-<libc>]-<version>.tgz   the binary, with os/cpu/libc fields
# <version> is the one in Cargo.toml. The binary is a release build (`cargo build --release
# --locked`), unless HOOKCTL_PACK_BIN names a prebuilt one (the tests pass their debug build).
#
# Usage: npm/pack.sh [OUT_DIR]      (default: target/npm); prints the two tarballs' paths on stdout.
set -euo pipefail

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
out=${1:-$root/target/npm}
say() { printf 'pack.sh: %s\n' "$*" >&2; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
[ -n "$version" ] || { say "no version in $root/Cargo.toml"; exit 1; }

# The platform package for this machine, by the launcher's own logic.
platform=$(node -e '
  const p = require(process.argv[1]).platformPackage();
  if (!p) process.exit(1);
  console.log(JSON.stringify(p));
' "$here/hookctl/bin/hookctl.js") || { say "this platform has no entry in npm/hookctl/platforms.json"; exit 1; }
pkg_name=$(node -e 'console.log(JSON.parse(process.argv[1]).name)' "$platform")
binary=$(node -e 'console.log(JSON.parse(process.argv[1]).binary)' "$platform")

if [ -n "${HOOKCTL_PACK_BIN:-}" ]; then
	bin=$HOOKCTL_PACK_BIN
else
	say "building hookctl $version (cargo build --release --locked)"
	(cd "$root" && cargo build --quiet --release --locked --bin hookctl)
	bin=$root/target/release/hookctl
fi
[ -x "$bin" ] || { say "$bin: not an executable"; exit 1; }

mkdir -p "$out"
out=$(CDPATH='' cd -- "$out" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-pack.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# The platform package.
plat=$stage/platform
mkdir -p "$plat"
cp "$bin" "$plat/$binary"
chmod 755 "$plat/$binary"
node - "$here/hookctl/package.json" "$platform" "$version" "$plat/package.json" <<'JS'
const fs = require("fs");
const [main, platform, version, dest] = process.argv.slice(2);
const m = JSON.parse(fs.readFileSync(main, "utf8"));
const p = JSON.parse(platform);
const pkg = {
  name: p.name,
  version,
  description: `The ${p.target} binary of hookctl (installed through the hookctl package)`,
  license: m.license,
  repository: m.repository,
  os: [p.os],
  cpu: [p.cpu],
  ...(p.libc ? { libc: [p.libc] } : {}),
  files: [p.binary],
  // yarn berry: keep the binary on disk (unplugged) so it can be executed.
  preferUnplugged: true,
};
fs.writeFileSync(dest, JSON.stringify(pkg, null, 2) + "\n");
JS
printf '# %s\n\nThe hookctl binary for one platform. Install the `hookctl` package instead: it depends on this one.\n' \
	"$pkg_name" >"$plat/README.md"

# The main package: the launcher, with every platform package at this exact version.
main=$stage/main
mkdir -p "$main/bin"
cp "$here/hookctl/bin/hookctl.js" "$main/bin/"
cp "$here/hookctl/platforms.json" "$here/hookctl/README.md" "$main/"
# The config schema `hookctl init` points `#:schema` at (node_modules/hookctl/hookctl.schema.json).
cp "$root/docs/hookctl.schema.json" "$main/hookctl.schema.json"
node - "$here/hookctl/package.json" "$here/hookctl/platforms.json" "$version" "$main/package.json" <<'JS'
const fs = require("fs");
const [main, platforms, version, dest] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(main, "utf8"));
pkg.version = version;
pkg.optionalDependencies = {};
for (const p of JSON.parse(fs.readFileSync(platforms, "utf8")).packages) {
  pkg.optionalDependencies[p.name] = version;
}
fs.writeFileSync(dest, JSON.stringify(pkg, null, 2) + "\n");
JS

for dir in "$plat" "$main"; do
	# --json: the file name npm chose, whatever its version's naming rules.
	file=$(cd "$dir" && npm pack --silent --json --pack-destination "$out" | node -e '
		let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)[0].filename));
	')
	say "packed $out/$file"
	printf '%s\n' "$out/$file"
done
