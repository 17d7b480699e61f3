#!/usr/bin/env bash
# hookctl as JS teams get it, end to end: npm/pack.sh builds the two tarballs, a sample app
# installs them offline as dev dependencies with a `prepare` script, and then:
#   - after `npm install` the hooks exist and a commit importing an untracked file is refused;
#   - a second clone gets working hooks from `npm install` alone;
#   - `npm ci --omit=dev` (hookctl not installed) and `npm ci` (installed) in a copy without
#     `.git` exit 0, and `npm install` with CI=true installs no hooks;
#   - the same with pnpm (workspace root and `--filter`) and yarn 1, when their command is on PATH,
#     and yarn berry (nodeLinker: node-modules; `postinstall`, written by `hookctl init`) when
#     BERRY_YARN_JS names @yarnpkg/cli-dist's bin/yarn.js (.ci/run installs them from the npm
#     registry; PM_REQUIRED=1 makes a missing one a failure).
#
# Usage: tests/npm/run.sh          (a release build through npm/pack.sh)
#        HOOKCTL_PACK_BIN=target/debug/hookctl tests/npm/run.sh   (reuse a build)
# Ends with "N passed, N failed"; exit 1 when something failed.
set -uo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-npm.XXXXXX")
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$work"' EXIT

# `hookctl install` is a deliberate no-op when CI is set (no one commits in CI, and `npm ci`
# there must not write hooks). .ci/run sets CI=true, but this script plays a developer's
# machine, so CI is unset here; the CI=true case is checked explicitly below.
unset CI
# A hook run from inside a hook (the suite may be) must not see the outer git's variables.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_COMMON_DIR GIT_PREFIX HOOKCTL HOOKCTL_SKIP
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=Test GIT_COMMITTER_EMAIL=test@example.com
# Nothing from the network: only the tarballs (and the package manager's own empty cache).
export npm_config_cache=$work/npm-cache npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false
# No hookctl on PATH but the one the package managers put there: what the hooks run must come
# from node_modules.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do
	[ -x "$d/hookctl" ] || printf '%s:' "$d"
done)
export PATH=${PATH%:}

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok: $*"
}
bad() {
	failed=$((failed + 1))
	echo "FAILED: $*"
	[ -f "$work/out" ] && sed 's/^/    | /' "$work/out" | tail -n 30
}
# at DIR CMD...: CMD in DIR.
at() {
	(cd "$1" && shift && "$@")
}
# run CMD...: run CMD with its output in $work/out; its exit code in $rc.
run() {
	"$@" >"$work/out" 2>&1
	rc=$?
}
expect_ok() {
	local what=$1
	shift
	run "$@"
	if [ "$rc" -eq 0 ]; then ok "$what"; else bad "$what (exit $rc)"; fi
}
expect_fail() {
	local what=$1
	shift
	run "$@"
	if [ "$rc" -ne 0 ]; then ok "$what"; else bad "$what (exit 0, expected a failure)"; fi
}
out_has() {
	if grep -qF -- "$2" "$work/out"; then ok "$1"; else bad "$1 (output lacks '$2')"; fi
}
hooked() {
	if grep -qF "hookctl-managed-hook" "$1/.git/hooks/pre-commit" 2>/dev/null; then
		ok "$2"
	else
		bad "$2 (no hookctl pre-commit hook in $1/.git/hooks)"
	fi
}
not_hooked() {
	if [ -e "$1/.git/hooks/pre-commit" ]; then bad "$2 (a pre-commit hook exists)"; else ok "$2"; fi
}

echo "== npm/pack.sh"
if ! bash "$root/npm/pack.sh" "$work/dist" >"$work/tarballs" 2>"$work/out"; then
	bad "npm/pack.sh"
	echo "0 passed, 1 failed"
	exit 1
fi
main_tgz=$(grep '/hookctl-[0-9]' "$work/tarballs")
plat_tgz=$(grep '/hookctl-cli-' "$work/tarballs")
if [ -f "$main_tgz" ] && [ -f "$plat_tgz" ]; then ok "pack.sh made $(basename "$main_tgz") and $(basename "$plat_tgz")"; else bad "pack.sh output: $(cat "$work/tarballs")"; fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
tar -xzOf "$main_tgz" package/package.json >"$work/out"
out_has "the main package has Cargo.toml's version" "\"version\": \"$version\""
out_has "the main package lists the platform packages" "\"@hookctl/cli-linux-arm64-gnu\": \"$version\""
tar -xzOf "$plat_tgz" package/package.json >"$work/out"
out_has "the platform package has os/cpu fields" "\"cpu\": ["

# The other platforms' packages are published with the main one, but not here: stand-ins with
# their name, version and os/cpu/libc fields (no binary) take their place through `overrides`
# (npm) and `resolutions` (yarn), so that lockfiles list every platform as they would with the
# published packages, `npm ci` accepts them, and the package managers skip them on this machine.
stubs=$work/stubs
stub_map=$work/stub-map.json
mkdir -p "$stubs"
node - "$root/npm/hookctl/platforms.json" "$version" "$stubs" "$(basename "$plat_tgz")" "$stub_map" <<'JS'
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const [platforms, version, stubs, own, mapFile] = process.argv.slice(2);
const map = {};
for (const p of JSON.parse(fs.readFileSync(platforms, "utf8")).packages) {
  const file = `${p.name.replace("@", "").replace("/", "-")}-${version}.tgz`;
  if (file === own) continue;
  const dir = path.join(stubs, p.name.split("/")[1]);
  fs.mkdirSync(dir, { recursive: true });
  const pkg = { name: p.name, version, os: [p.os], cpu: [p.cpu], ...(p.libc ? { libc: [p.libc] } : {}) };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg));
  execFileSync("npm", ["pack", "--silent", "--pack-destination", stubs], { cwd: dir, stdio: "ignore" });
  map[p.name] = `file:${path.join(stubs, file)}`;
}
fs.writeFileSync(mapFile, JSON.stringify(map));
JS
[ "$(node -e 'console.log(Object.keys(require(process.argv[1])).length)' "$stub_map")" = 5 ] &&
	ok "stand-ins for the 5 other platform packages" || bad "stand-in packages: $(cat "$stub_map")"

# make_app DIR NAME: a sample Next.js-style app with a prepare script, committed.
make_app() {
	local dir=$1
	mkdir -p "$dir/app" "$dir/lib"
	node -e '
		const map = require(process.argv[2]);
		const pkg = { name: process.argv[1], version: "1.0.0", private: true,
			scripts: { prepare: "hookctl install || exit 0" }, overrides: map, resolutions: map };
		console.log(JSON.stringify(pkg, null, 2));
	' "$2" "$stub_map" >"$dir/package.json"
	printf 'node_modules/\n' >"$dir/.gitignore"
	printf '[pre-commit]\nchecks = ["imports", "files"]\n' >"$dir/hookctl.toml"
	printf 'export const home = 1;\n' >"$dir/app/home.ts"
	git -C "$dir" init -q -b main
	git -C "$dir" add -A
	git -C "$dir" commit -q --no-verify -m init
}

# stage_untracked_import DIR [NAME]: stage app/NAME-page.ts importing lib/NAME.ts (NAME: slug),
# which stays untracked.
stage_untracked_import() {
	local name=${2:-slug}
	mkdir -p "$1/lib" "$1/app"
	printf 'export const %s = (s: string) => s;\n' "$name" >"$1/lib/$name.ts"
	printf 'import { %s } from "../lib/%s";\nexport const page = %s("a");\n' "$name" "$name" "$name" >"$1/app/$name-page.ts"
	git -C "$1" add "app/$name-page.ts"
}

# refuses_untracked_import WHAT DIR [NAME]: a commit in DIR's repository that imports an
# untracked file (stage_untracked_import) is refused, naming the rule.
refuses_untracked_import() {
	stage_untracked_import "$2" "${3:-slug}"
	expect_fail "$1" git -C "$2" commit -q -m "untracked import"
	out_has "... naming the rule" "imports/untracked"
}

app=$work/app
echo "== npm: sample app"
make_app "$app" sample-app
expect_ok "npm i -D <tarballs> --offline" at "$app" npm i -D --offline "$main_tgz" "$plat_tgz"
expect_ok "npm install --offline (runs prepare)" at "$app" npm install --offline
out_has "prepare ran hookctl install" "pre-commit: installed"
hooked "$app" "npm install installed the pre-commit hook"
grep -qF "node_bin='node_modules/.bin/hookctl'" "$app/.git/hooks/pre-commit" &&
	ok "the hook tries node_modules/.bin/hookctl first" || bad "the hook has no node_modules/.bin path"
expect_ok "node_modules/.bin/hookctl --version" "$app/node_modules/.bin/hookctl" --version
[ -f "$app/node_modules/hookctl/hookctl.schema.json" ] &&
	ok "the package ships hookctl.schema.json (init's #:schema)" || bad "node_modules/hookctl/hookctl.schema.json is missing"
out_has "--version says it came from the npm package" "npm package @hookctl/cli-"
git -C "$app" add package.json package-lock.json
git -C "$app" commit -q --no-verify -m "hookctl as a dev dependency"
refuses_untracked_import "a commit importing an untracked file is refused" "$app"
git -C "$app" add lib/slug.ts
expect_ok "the same commit with the file staged passes" git -C "$app" commit -q -m "gallery"

echo "== npm: a teammate's clone"
clone=$work/clone
git clone -q "$app" "$clone"
not_hooked "$clone" "a fresh clone has no hooks"
expect_ok "npm install --offline in the clone" at "$clone" npm install --offline
hooked "$clone" "npm install alone installed the hooks in the clone"
# Only node_modules/.bin: PATH without node makes the shim skip it and use the recorded path,
# so check with node present that it is the clone's own node_modules that runs.
refuses_untracked_import "the clone's hook refuses a commit importing an untracked file" "$clone" other
git -C "$clone" reset -q
# min_version: a repository that needs a newer hookctl refuses the old one at hook time.
printf 'min_version = "999.0.0"\n[pre-commit]\nchecks = ["imports"]\n' >"$clone/hookctl.toml"
git -C "$clone" add hookctl.toml
expect_fail "min_version newer than the installed hookctl fails the hook" git -C "$clone" commit -q -m pin
out_has "... with the version needed" "needs hookctl 999.0.0 or newer"
out_has "... and how to update" "npm i -D hookctl@^999.0.0"
git -C "$clone" checkout -q HEAD -- hookctl.toml

echo "== npm: CI and production installs"
rm -rf "$clone/.git/hooks/pre-commit" "$clone/.git/hooks/pre-push"
expect_ok "CI=true npm install exits 0" at "$clone" env CI=true npm install --offline
out_has "... with one note" "CI=true, hooks not installed"
not_hooked "$clone" "CI=true installed no hook"
expect_ok "HOOKCTL=0 npm install exits 0" at "$clone" env HOOKCTL=0 npm install --offline
out_has "... with one note" "HOOKCTL=0, hooks not installed"
not_hooked "$clone" "HOOKCTL=0 installed no hook"
nogit=$work/nogit
mkdir -p "$nogit"
git -C "$app" archive HEAD | tar -x -C "$nogit"
expect_ok "npm ci --omit=dev in a copy without .git exits 0" at "$nogit" npm ci --omit=dev --offline
[ -e "$nogit/node_modules/hookctl" ] && bad "--omit=dev installed hookctl" || ok "--omit=dev left hookctl out"
expect_ok "npm ci (hookctl installed) in a copy without .git exits 0" at "$nogit" npm ci --offline
out_has "... with one note" "is not in a git repository, hooks not installed"

# --- pnpm -------------------------------------------------------------------------------
if command -v pnpm >/dev/null 2>&1; then
	echo "== pnpm $(pnpm --version): workspace root"
	export npm_config_store_dir=$work/pnpm-store
	papp=$work/pnpm-app
	make_app "$papp" pnpm-app
	expect_ok "pnpm add -D <tarballs>" at "$papp" pnpm add -D --offline "$main_tgz" "$plat_tgz"
	expect_ok "pnpm install (runs prepare)" at "$papp" pnpm install --offline
	hooked "$papp" "pnpm install installed the hooks"
	refuses_untracked_import "pnpm: a commit importing an untracked file is refused" "$papp"

	echo "== pnpm: a workspace package with hookctl (--filter)"
	ws=$work/pnpm-ws
	mkdir -p "$ws/packages/web"
	printf '{ "name": "ws", "private": true }\n' >"$ws/package.json"
	printf 'packages:\n  - "packages/*"\n' >"$ws/pnpm-workspace.yaml"
	make_app "$ws/packages/web" web
	rm -rf "$ws/packages/web/.git"
	printf 'node_modules/\n' >"$ws/.gitignore"
	printf '[pre-commit]\nchecks = ["imports"]\n' >"$ws/hookctl.toml"
	git -C "$ws" init -q -b main && git -C "$ws" add -A && git -C "$ws" commit -q --no-verify -m init
	expect_ok "pnpm --filter web add -D <tarballs>" at "$ws" pnpm --filter web add -D --offline "$main_tgz" "$plat_tgz"
	expect_ok "pnpm install at the workspace root" at "$ws" pnpm install --offline
	hooked "$ws" "pnpm: the package's prepare installed the hooks at the repository root"
	grep -qF "node_bin='packages/web/node_modules/.bin/hookctl'" "$ws/.git/hooks/pre-commit" &&
		ok "pnpm: the hook tries the package's node_modules/.bin first" || bad "pnpm: the hook lacks packages/web/node_modules/.bin"
	refuses_untracked_import "pnpm --filter: a commit importing an untracked file is refused" "$ws/packages/web"
elif [ "${PM_REQUIRED:-}" = 1 ]; then
	bad "pnpm is not on PATH"
else
	echo "skip: pnpm is not on PATH"
fi

# --- yarn 1 ------------------------------------------------------------------------------
if command -v yarn >/dev/null 2>&1 && yarn --version 2>/dev/null | grep -q '^1\.'; then
	echo "== yarn $(yarn --version)"
	export YARN_CACHE_FOLDER=$work/yarn-cache
	yapp=$work/yarn-app
	make_app "$yapp" yarn-app
	# yarn 1 does not let the direct tarball stand for hookctl's optional dependency: a
	# resolution. And a resolved optional dependency loses its "skip when incompatible" (a yarn
	# 1 bug), so --ignore-platform installs the stand-ins too: they hold no binary, and the
	# launcher still picks this platform's package.
	(cd "$yapp" && node -e '
		const fs = require("fs"); const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
		pkg.resolutions[process.argv[1]] = "file:" + process.argv[2];
		fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));
	' "$(tar -xzOf "$plat_tgz" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).name))')" "$plat_tgz")
	expect_ok "yarn add -D <tarballs>" at "$yapp" yarn add -D --offline --ignore-platform "file:$main_tgz" "file:$plat_tgz"
	expect_ok "yarn install (runs prepare)" at "$yapp" yarn install --offline --ignore-platform
	hooked "$yapp" "yarn install installed the hooks"
	refuses_untracked_import "yarn: a commit importing an untracked file is refused" "$yapp"
elif [ "${PM_REQUIRED:-}" = 1 ]; then
	bad "yarn 1 is not on PATH"
else
	echo "skip: yarn 1 is not on PATH"
fi

# --- yarn berry (node-modules linker) --------------------------------------------------------
# Yarn 2+ runs `postinstall`, not `prepare`, for the project itself: `hookctl init` writes the
# script under that key in a berry repository (see src/prepare.rs), checked here end to end.
if [ -n "${BERRY_YARN_JS:-}" ] && [ -f "$BERRY_YARN_JS" ]; then
	berry() { node "$BERRY_YARN_JS" "$@"; }
	# berry reads every YARN_* variable as a setting: yarn 1's cache folder is not one for it.
	unset YARN_CACHE_FOLDER
	echo "== yarn $(berry --version) (berry, nodeLinker: node-modules)"
	export YARN_ENABLE_NETWORK=0 YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE=1
	export YARN_GLOBAL_FOLDER=$work/berry-global
	bapp=$work/berry-app
	mkdir -p "$bapp/app" "$bapp/lib"
	# Every platform package resolves to a local tarball (this platform's or a stand-in): berry
	# resolves optional dependencies of every platform, and nothing may come from the network.
	node -e '
		const map = require(process.argv[1]);
		map[process.argv[2]] = "file:" + process.argv[3];
		console.log(JSON.stringify({ name: "berry-app", version: "1.0.0", private: true, resolutions: map }, null, 2));
	' "$stub_map" "$(tar -xzOf "$plat_tgz" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).name))')" "$plat_tgz" >"$bapp/package.json"
	printf 'nodeLinker: node-modules\n' >"$bapp/.yarnrc.yml"
	printf 'node_modules/\n.yarn/\n' >"$bapp/.gitignore"
	printf 'export const home = 1;\n' >"$bapp/app/home.ts"
	git -C "$bapp" init -q -b main && git -C "$bapp" add -A && git -C "$bapp" commit -q --no-verify -m init
	expect_ok "berry: yarn add -D <tarball>" at "$bapp" berry add -D "hookctl@file:$main_tgz"
	not_hooked "$bapp" "berry: no hooks before an install script exists"
	expect_ok "berry: hookctl init" at "$bapp" node_modules/.bin/hookctl init
	out_has "... adds the postinstall script (berry runs no prepare)" 'added `"postinstall": "hookctl install || exit 0"`'
	expect_ok "berry: yarn install (runs postinstall)" at "$bapp" berry install
	hooked "$bapp" "berry: yarn install installed the hooks"
	git -C "$bapp" add -A && git -C "$bapp" commit -q --no-verify -m "hookctl as a dev dependency"
	refuses_untracked_import "berry: a commit importing an untracked file is refused" "$bapp"
	git -C "$bapp" reset -q
	bclone=$work/berry-clone
	git clone -q "$bapp" "$bclone"
	expect_ok "berry: yarn install in a teammate's clone" at "$bclone" berry install --immutable
	hooked "$bclone" "berry: yarn install alone installed the hooks in the clone"
	refuses_untracked_import "berry: the clone's hook refuses a commit importing an untracked file" "$bclone" other
	bnogit=$work/berry-nogit
	mkdir -p "$bnogit"
	git -C "$bapp" archive HEAD | tar -x -C "$bnogit"
	expect_ok "berry: a production install (workspaces focus --production) without .git exits 0" at "$bnogit" berry workspaces focus --production
	[ -e "$bnogit/node_modules/hookctl" ] && bad "berry: --production installed hookctl" || ok "berry: --production left hookctl out"
	# berry keeps build scripts' output in a log file: the line says postinstall ran, exit 0 that
	# it succeeded (a failing one is YN0009 and exit 1).
	expect_ok "berry: yarn install --immutable (hookctl installed) without .git exits 0" at "$bnogit" berry install --immutable
	out_has "... after running postinstall" "must be rebuilt"
elif [ "${PM_REQUIRED:-}" = 1 ]; then
	bad "yarn berry: BERRY_YARN_JS does not name @yarnpkg/cli-dist's bin/yarn.js"
else
	echo "skip: yarn berry (set BERRY_YARN_JS to @yarnpkg/cli-dist's bin/yarn.js)"
fi

echo "npm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
