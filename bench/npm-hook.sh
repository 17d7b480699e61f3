#!/usr/bin/env bash
# bench/npm-hook.sh — what a commit costs when hookctl comes from npm (issue 21): a no-op
# `git commit --allow-empty` through the pre-commit hook
#   cargo     the hook `hookctl install` writes for a cargo-installed binary
#   npm       the hook written by `hookctl install` run through the npm package (node_modules
#             laid out as npm installs the packed launcher and platform package): it execs the
#             platform package's native binary
#   launcher  the same node_modules, through the Node launcher (node_modules/.bin/hookctl),
#             which is what hooks ran before they ran the native binary
#   none      no hook at all
# Same binary in every row. Medians from hyperfine; writes bench/results/npm-hook.md and the raw
# JSON beside it (bench/results/npm-hook/).
#
# Usage: HOOKCTL_BIN=target/release/hookctl bench/npm-hook.sh [--runs N] [--note TEXT]
# Needs: git, node, npm (to pack), hyperfine. Not a test: the numbers depend on the machine.
set -euo pipefail

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
bin=${HOOKCTL_BIN:-$root/target/release/hookctl}
runs=30
note=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--note) note=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--note TEXT]" >&2; exit 2 ;;
	esac
done
say() { printf 'npm-hook.sh: %s\n' "$*" >&2; }
for tool in git node npm hyperfine; do
	command -v "$tool" >/dev/null || { say "$tool is needed"; exit 1; }
done
[ -x "$bin" ] || { say "$bin: not an executable (cargo build --release, or set HOOKCTL_BIN)"; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-npm-hook.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset CI HOOKCTL HOOKCTL_SKIP GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

# The two packages as `npm/pack.sh` builds them, around this binary.
say "packing the npm packages around $bin"
mapfile -t tarballs < <(HOOKCTL_PACK_BIN=$bin "$root/npm/pack.sh" "$tmp/pkgs")
main_tgz=$(printf '%s\n' "${tarballs[@]}" | grep -v '/hookctl-cli-')
plat_tgz=$(printf '%s\n' "${tarballs[@]}" | grep '/hookctl-cli-')
plat_name=$(tar -xOzf "$plat_tgz" package/package.json | node -e '
	let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).name));')

# repo DIR: a small repository with a hookctl.toml and one commit.
repo() {
	mkdir -p "$1/src"
	git -C "$1" init -q -b main
	printf 'export const a = 1;\n' >"$1/src/a.ts"
	printf '{ "name": "bench-app", "private": true }\n' >"$1/package.json"
	printf 'node_modules/\n' >"$1/.gitignore"
	printf '[pre-commit]\nchecks = ["imports", "files", "env", "secrets", "deps"]\n' >"$1/hookctl.toml"
	git -C "$1" add -A
	git -C "$1" commit -q --no-verify -m init
}

# node_modules DIR: what `npm i -D hookctl` lays out on this platform (the launcher, the
# platform package beside it, the .bin link).
node_modules() {
	mkdir -p "$1/node_modules/hookctl" "$1/node_modules/$plat_name" "$1/node_modules/.bin"
	tar -xzf "$main_tgz" -C "$1/node_modules/hookctl" --strip-components=1
	tar -xzf "$plat_tgz" -C "$1/node_modules/$plat_name" --strip-components=1
	ln -s ../hookctl/bin/hookctl.js "$1/node_modules/.bin/hookctl"
}

repo "$tmp/cargo"
(cd "$tmp/cargo" && "$bin" install -q)

repo "$tmp/npm"
node_modules "$tmp/npm"
# As `prepare` runs it: through the launcher, which runs the platform binary.
(cd "$tmp/npm" && PATH=$tmp/npm/node_modules/.bin:$PATH hookctl install -q)
grep -q "^npm_bin='node_modules/hookctl/../$plat_name/hookctl'" "$tmp/npm/.git/hooks/pre-commit" ||
	{ say "the npm install's hook does not name the platform binary"; exit 1; }

repo "$tmp/launcher"
node_modules "$tmp/launcher"
mkdir -p "$tmp/launcher/.git/hooks"
printf '#!/bin/sh\nexec node_modules/.bin/hookctl run pre-commit "$@"\n' >"$tmp/launcher/.git/hooks/pre-commit"
chmod +x "$tmp/launcher/.git/hooks/pre-commit"

repo "$tmp/none"

raw=$here/results/npm-hook
mkdir -p "$raw"
declare -A median cpu
for row in none cargo npm launcher; do
	say "hyperfine: $row"
	(cd "$tmp/$row" && hyperfine --style basic -N --warmup 3 --runs "$runs" \
		--export-json "$raw/$row.json" -n "$row" 'git commit -q --allow-empty -m bench') >&2
	median[$row]=$(node -e 'console.log(require(process.argv[1]).results[0].median)' "$raw/$row.json")
	# CPU time (user + system, mean): steadier than wall time on a shared machine.
	cpu[$row]=$(node -e 'const r = require(process.argv[1]).results[0]; console.log(r.user + r.system)' "$raw/$row.json")
done

ms() { node -e 'console.log((Number(process.argv[1]) * 1000).toFixed(1))' "$1"; }
delta() { node -e 'console.log(((Number(process.argv[1]) - Number(process.argv[2])) * 1000).toFixed(1))' "$1" "$2"; }
out=$here/results/npm-hook.md
{
	echo "# A no-op commit through hookctl's hook: npm install vs cargo install"
	echo
	echo "$(date -u +%Y-%m-%d), $(uname -sm), $(nproc) CPUs, $(hyperfine --version), node $(node --version), git $(git --version | cut -d' ' -f3)."
	[ -n "$note" ] && echo "Note: $note"
	echo
	echo "\`git commit -q --allow-empty\` in a small repository whose pre-commit hook runs the built-in"
	echo "checks (nothing staged); hyperfine \`-N\`, $runs runs, 3 warm-ups, medians. The same binary in"
	echo "every row ($("$bin" --version | head -n 1 | cut -d" " -f1-2))."
	echo
	echo "| hook | wall, median (ms) | vs cargo install (ms) | CPU user+sys, mean (ms) | vs cargo install (ms) |"
	echo "|---|---:|---:|---:|---:|"
	for row in none cargo npm launcher; do
		case $row in
		none) name="none (no hook)" ;;
		cargo) name="cargo install: the recorded binary" ;;
		npm) name="npm install: the platform package's native binary" ;;
		launcher) name="npm install through the Node launcher (hooks before issue 21)" ;;
		esac
		echo "| $name | $(ms "${median[$row]}") | $(delta "${median[$row]}" "${median[cargo]}") | $(ms "${cpu[$row]}") | $(delta "${cpu[$row]}" "${cpu[cargo]}") |"
	done
	echo
	echo "Raw hyperfine JSON: \`results/npm-hook/\`. Re-run: \`HOOKCTL_BIN=target/release/hookctl bench/npm-hook.sh\`."
} >"$out"
cat "$out"
