#!/usr/bin/env bash
# hookctl as JS teams get it, end to end, through a real npm registry on loopback: npm/pack.sh
# builds the launcher and this platform's package, stand-ins are made for the other platforms,
# all are published to a local verdaccio (no uplink: nothing comes from elsewhere), and sample
# apps install hookctl exactly as users do (`npm i -D hookctl`, `pnpm add -D hookctl`, `yarn add
# -D hookctl`). Then, with npm, pnpm 9, yarn 1 and yarn 4 (berry, nodeLinker: node-modules):
#   - the package manager chose the platform package by os/cpu/libc (no other platform's);
#   - `hookctl init` writes the install script, `<pm> install` runs it: the hooks exist and a
#     commit importing an untracked file is refused;
#   - a teammate's clone gets working hooks from `<pm> install` alone;
#   - a production install without `.git` (hookctl not installed) and a full one exit 0;
#   - without the platform package (optional dependencies left out, a lockfile from another OS,
#     an unsupported platform) the launcher says which package it looked for, why it may be
#     missing and what to do, on stderr, also from the install script (`|| exit 0`);
#   - pnpm also as a workspace package (`--filter`).
# pnpm and yarn 1 are tested when their command is on PATH, berry when BERRY_YARN_JS names
# @yarnpkg/cli-dist's bin/yarn.js (.ci/run installs them from the npm registry); PM_REQUIRED=1
# makes a missing one a failure. Verdaccio: $VERDACCIO (its bin/verdaccio), else `verdaccio` on
# PATH, else installed here from the npm registry into the work folder.
#
# Usage: tests/npm/run.sh          (a release build through npm/pack.sh)
#        HOOKCTL_PACK_BIN=target/debug/hookctl tests/npm/run.sh   (reuse a build)
#        KEEP_WORK=1 tests/npm/run.sh   (keep the work folder; the registry is stopped)
# Ends with "N passed, N failed"; exit 1 when something failed.
set -uo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-npm.XXXXXX")
registry_pid=
cleanup() {
	if [ -n "$registry_pid" ]; then
		kill "$registry_pid" 2>/dev/null
		wait "$registry_pid" 2>/dev/null
	fi
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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
give_up() {
	bad "$@"
	echo "npm: $passed passed, $failed failed"
	exit 1
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
# out_says WHAT: $work/out holds, from its first line starting "hookctl: " to the next "hint: or
# build" (or "hint: build") line, exactly the text on stdin.
out_says() {
	cat >"$work/expected"
	sed -n '/^hookctl: /,/^hint: \(or \)\{0,1\}build/p' "$work/out" >"$work/said"
	if cmp -s "$work/expected" "$work/said"; then ok "$1"; else
		failed=$((failed + 1))
		echo "FAILED: $1 (the message differs: - expected, + printed)"
		diff -u "$work/expected" "$work/said" | tail -n +3 | sed 's/^/    | /'
		sed 's/^/    out| /' "$work/out" | tail -n 20
	fi
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

# --- verdaccio --------------------------------------------------------------------------------
# Before the npm settings below: it comes from the npm registry, with the user's npm cache.
verdaccio=${VERDACCIO:-$(command -v verdaccio 2>/dev/null)}
if [ -z "$verdaccio" ]; then
	echo "== installing verdaccio from the npm registry"
	# 6.8: the last 6.x that runs on Node 20 (6.9 and later want Node 22).
	run npm install --global --no-audit --no-fund --prefix "$work/verdaccio" verdaccio@6.8
	[ "$rc" -eq 0 ] || give_up "npm install verdaccio (set VERDACCIO to a verdaccio command to skip this)"
	verdaccio=$work/verdaccio/bin/verdaccio
fi

# `hookctl install` is a deliberate no-op when CI is set (no one commits in CI, and `npm ci`
# there must not write hooks). .ci/run sets CI=true, but this script plays a developer's
# machine, so CI is unset here; the CI=true case is checked explicitly below.
unset CI
# A hook run from inside a hook (the suite may be) must not see the outer git's variables.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_COMMON_DIR GIT_PREFIX HOOKCTL HOOKCTL_SKIP HOOKCTL_BINARY
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=Test GIT_COMMITTER_EMAIL=test@example.com
# Every package from the local registry (set below, in a user config of the work folder), every
# cache empty at the start.
export npm_config_cache=$work/npm-cache npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false npm_config_userconfig=$work/npmrc
# The package managers' settings read from files under $HOME stay out too.
export XDG_CONFIG_HOME=$work/xdg-config
# No hookctl on PATH but the one the package managers put there: what the hooks run must come
# from node_modules.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do
	[ -x "$d/hookctl" ] || printf '%s:' "$d"
done)
export PATH=${PATH%:}

echo "== npm/pack.sh"
if ! bash "$root/npm/pack.sh" "$work/dist" >"$work/tarballs" 2>"$work/out"; then
	give_up "npm/pack.sh"
fi
main_tgz=$(grep '/hookctl-[0-9]' "$work/tarballs")
plat_tgz=$(grep '/hookctl-cli-' "$work/tarballs")
if [ -f "$main_tgz" ] && [ -f "$plat_tgz" ]; then ok "pack.sh made $(basename "$main_tgz") and $(basename "$plat_tgz")"; else give_up "pack.sh output: $(cat "$work/tarballs")"; fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
tar -xzOf "$main_tgz" package/package.json >"$work/out"
out_has "the main package has Cargo.toml's version" "\"version\": \"$version\""
out_has "the main package lists the platform packages" "\"@hookctl/cli-linux-arm64-gnu\": \"$version\""
if grep -qF 'win32' "$work/out"; then bad "the main package lists a Windows package, which is not built"; else ok "no Windows package listed (not built)"; fi
tar -xzOf "$plat_tgz" package/package.json >"$work/out"
out_has "the platform package has os/cpu fields" "\"cpu\": ["
plat_name=$(node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).name))' <"$work/out")

# The other platforms' packages are published with this one: stand-ins here, with their name,
# version and os/cpu/libc fields, and a `hookctl` that says it is a stand-in and fails (so that a
# package manager choosing one would show). The package managers must skip them on this machine.
stubs=$work/stubs
mkdir -p "$stubs"
node - "$root/npm/hookctl/platforms.json" "$version" "$stubs" "$plat_name" <<'JS' >"$work/stub-list"
const fs = require("fs");
const path = require("path");
const [platforms, version, stubs, own] = process.argv.slice(2);
for (const p of JSON.parse(fs.readFileSync(platforms, "utf8")).packages) {
  if (p.name === own) continue;
  const dir = path.join(stubs, p.name.split("/")[1]);
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name: p.name, version, os: [p.os], cpu: [p.cpu], ...(p.libc ? { libc: [p.libc] } : {}),
    files: [p.binary], preferUnplugged: true,
  };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, p.binary), `#!/bin/sh\necho "stand-in of ${p.name}: not for this machine" >&2\nexit 3\n`, { mode: 0o755 });
  console.log(dir);
}
JS
[ "$(wc -l <"$work/stub-list")" = 4 ] && ok "stand-ins for the 4 other platform packages" || bad "stand-in packages: $(cat "$work/stub-list")"

# --- the local registry -----------------------------------------------------------------------
echo "== a local npm registry (verdaccio on loopback)"
reg=$work/registry
mkdir -p "$reg"
# No uplink: a package the tests do not publish is not found (nothing comes from elsewhere).
cat >"$reg/config.yaml" <<EOF
storage: $reg/storage
auth:
  htpasswd:
    file: $reg/htpasswd
uplinks: {}
packages:
  '**':
    access: \$all
    publish: \$authenticated
web:
  enable: false
max_body_size: 500mb
log: { type: stdout, format: pretty, level: warn }
EOF
# free_port: a port nothing listens on now (the kernel's pick).
free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
# ping URL: the registry answers.
ping() {
	node -e 'fetch(process.argv[1] + "-/ping").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}
# The port may be taken between free_port and verdaccio's start: three tries.
for attempt in 1 2 3; do
	port=$(free_port)
	registry=http://127.0.0.1:$port/
	"$verdaccio" --config "$reg/config.yaml" --listen "127.0.0.1:$port" >"$reg/log" 2>&1 &
	registry_pid=$!
	started=
	for _ in $(seq 150); do
		kill -0 "$registry_pid" 2>/dev/null || break
		if ping "$registry"; then
			started=1
			break
		fi
		sleep 0.2
	done
	[ -n "$started" ] && break
	kill "$registry_pid" 2>/dev/null
	wait "$registry_pid" 2>/dev/null
	registry_pid=
	echo "note: verdaccio did not answer on port $port (try $attempt of 3)"
	sed 's/^/    | /' "$reg/log" | tail -n 10
done
[ -n "$registry_pid" ] || give_up "verdaccio did not start"
ok "verdaccio $(node -p 'require(require("path").join(require("fs").realpathSync(process.argv[1]), "../../package.json")).version' "$verdaccio" 2>/dev/null) answers at $registry"

# A user for publishing (verdaccio's htpasswd), its token in the npm user config with the registry.
token=$(node -e '
	fetch(process.argv[1] + "-/user/org.couchdb.user:hookctl-test", {
		method: "PUT", headers: { "content-type": "application/json" },
		body: JSON.stringify({ name: "hookctl-test", password: "hookctl-test-password" }),
	}).then((r) => r.json()).then((j) => { if (!j.token) throw new Error(JSON.stringify(j)); console.log(j.token); })
	  .catch((e) => { console.error(e.message); process.exit(1); });
' "$registry" 2>"$work/out") || give_up "a registry user for publishing"
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$registry" "$port" "$token" >"$npm_config_userconfig"
export npm_config_registry=$registry

# The platform packages at once (each publish is mostly npm starting up), then the launcher.
published=0
pids=()
pkgs=()
while read -r p; do pkgs+=("$p"); done <"$work/stub-list"
pkgs+=("$plat_tgz")
for i in "${!pkgs[@]}"; do
	npm publish "${pkgs[$i]}" >"$work/publish-$i.log" 2>&1 &
	pids+=("$!")
done
for i in "${!pkgs[@]}"; do
	if wait "${pids[$i]}"; then published=$((published + 1)); else
		cp "$work/publish-$i.log" "$work/out"
		bad "npm publish ${pkgs[$i]}"
	fi
done
# The launcher last, as a release does: its optional dependencies exist when it appears.
run npm publish "$main_tgz" && published=$((published + 1)) || bad "npm publish $main_tgz"
[ "$published" = 6 ] && ok "published hookctl and the 5 platform packages to the local registry"
run npm view "hookctl@$version" optionalDependencies --json
out_has "the registry's hookctl pins this platform's package" "\"$plat_name\": \"$version\""
run npm view "$plat_name@$version" os cpu libc --json
out_has "the registry's platform package has its os field" "\"os\": ["

# The platform package the package manager chose: each @hookctl/cli-* folder under DIR's
# node_modules (pnpm's store included), by name.
installed_platforms() {
	find "$1/node_modules" -path '*/@hookctl/cli-*/package.json' 2>/dev/null |
		sed 's|.*/\(@hookctl/cli-[^/]*\)/package.json|\1|' | sort -u
}
# chose_platform WHAT DIR [ALSO]: DIR's install holds this machine's platform package and no
# other, except ALSO (a package manager that does not read `libc` installs the other libc's too).
chose_platform() {
	local got want
	got=$(installed_platforms "$2" | tr '\n' ' ')
	want=$(printf '%s\n' "$plat_name" ${3:+"$3"} | sort -u | tr '\n' ' ')
	if [ "$got" = "$want" ]; then ok "$1 (${got% })"; else bad "$1: installed '${got% }', expected '${want% }'"; fi
}
# The other libc's package of this platform, which yarn 1 and pnpm 9 install too (they do not read `libc`).
other_libc=$(node -e '
	const [own, list] = [process.argv[1], require(process.argv[2]).packages];
	const me = list.find((p) => p.name === own);
	const twin = list.find((p) => p.name !== own && p.os === me.os && p.cpu === me.cpu);
	console.log(twin ? twin.name : "");
' "$plat_name" "$root/npm/hookctl/platforms.json")

# make_app DIR NAME: a sample Next.js-style app, committed; no hookctl yet.
make_app() {
	local dir=$1
	mkdir -p "$dir/app" "$dir/lib"
	printf '{\n  "name": "%s",\n  "version": "1.0.0",\n  "private": true\n}\n' "$2" >"$dir/package.json"
	printf 'node_modules/\n' >"$dir/.gitignore"
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

# nogit_copy SRC DEST: SRC's committed files, without .git (a Docker build context).
nogit_copy() {
	mkdir -p "$2"
	git -C "$1" archive HEAD | tar -x -C "$2"
}

# from_registry WHAT LOCKFILE: every `resolved` URL in LOCKFILE (npm, yarn 1) is the local registry's.
from_registry() {
	local others
	others=$(grep -o '"\{0,1\}resolved"\{0,1\}:\{0,1\} "[^"]*"' "$2" | grep -vF "\"$registry" | head -n 3)
	if ! grep -q 'resolved' "$2"; then bad "$1 ($2 has no resolved URL)"; elif [ -z "$others" ]; then ok "$1"; else bad "$1: $others"; fi
}

# The messages of a launcher without its platform package (npm/hookctl/bin/hookctl.js).
plat_desc=$(node -e '
	const p = require(process.argv[2]).packages.find((p) => p.name === process.argv[1]);
	console.log(`${p.os}-${p.cpu}${p.libc ? "-" + p.libc : ""}`);
' "$plat_name" "$root/npm/hookctl/platforms.json")
cargo_hint="hint: or build hookctl from source: cargo install --locked hookctl (this command then runs the hookctl it puts on PATH)"
# msg_omitted WHAT REASON HINT: optional dependencies left out, as the install's environment says.
msg_omitted() {
	printf '%s\n' \
		"hookctl: $1: the package $plat_name (hookctl's binary for $plat_desc) is missing." \
		"  It is an optional dependency of hookctl, and this install leaves optional dependencies out" \
		"  ($2)." \
		"hint: install them: $3" \
		"$cargo_hint"
}
# msg_maybe WHAT PM: nothing tells why.
msg_maybe() {
	printf '%s\n' \
		"hookctl: $1: the package $plat_name (hookctl's binary for $plat_desc) is missing." \
		"  It is an optional dependency of hookctl, which package managers install where its os/cpu/libc fit." \
		"  It may be missing because optional dependencies were left out (--omit=optional, --no-optional," \
		"  --ignore-optional, omit=optional in .npmrc), or because node_modules came from another machine." \
		"hint: $2 install" \
		"$cargo_hint"
}

# msg_lockfile WHAT LOCKFILE PM: the lockfile has no entry for this platform's package.
msg_lockfile() {
	printf '%s\n' \
		"hookctl: $1: the package $plat_name (hookctl's binary for $plat_desc) is missing." \
		"  $2 has no entry for it: the lockfile was likely written on another OS or CPU, by an" \
		"  install that kept only that machine's platform package." \
		"hint: $3 install adds it (if it does not: delete node_modules and $2, then $3 install)" \
		"$cargo_hint"
}
# drop_lock_entry FILE: FILE (pnpm-lock.yaml, yarn.lock) without this platform package's own
# entries (a block from its key line to the next blank line), as a lockfile written elsewhere.
drop_lock_entry() {
	node -e '
		const fs = require("fs");
		const [file, name] = process.argv.slice(1);
		const key = new RegExp(`^\\s*[\x27"]?${name.replace(/[/.]/g, "\\$&")}@`);
		const blocks = fs.readFileSync(file, "utf8").split(/\n\n/);
		fs.writeFileSync(file, blocks.filter((b) => !key.test(b.replace(/^\n+/, "").split("\n")[0])).join("\n\n"));
	' "$1" "$plat_name"
}

# --- npm ----------------------------------------------------------------------------------------
app=$work/app
echo "== npm $(npm --version): sample app"
make_app "$app" sample-app
expect_ok "npm i -D hookctl (from the registry)" at "$app" npm i -D hookctl
chose_platform "npm chose the platform package by os/cpu/libc" "$app"
run node -e 'const l = require(process.argv[1]); console.log(Object.keys(l.packages).filter((k) => k.includes("@hookctl/cli-")).length)' "$app/package-lock.json"
out_has "package-lock.json lists all 5 platform packages" "5"
from_registry "... each from the local registry" "$app/package-lock.json"
expect_ok "npm exec hookctl init" at "$app" npm exec --no -- hookctl init
out_has "... adds the prepare script" 'added `"prepare": "hookctl install || exit 0"`'
expect_ok "npm install (runs prepare)" at "$app" npm install
out_has "prepare ran hookctl install" "pre-commit: installed"
hooked "$app" "npm install installed the pre-commit hook"
grep -qF "npm_bin='node_modules/hookctl/../@hookctl/cli-" "$app/.git/hooks/pre-commit" &&
	grep -qF "node_bin='node_modules/.bin/hookctl'" "$app/.git/hooks/pre-commit" &&
	ok "the hook runs the platform package's native binary first, the Node launcher only as a fallback" ||
	bad "the hook has no native-binary path (npm_bin) or no node_modules/.bin fallback"
expect_ok "node_modules/.bin/hookctl --version" "$app/node_modules/.bin/hookctl" --version
out_has "--version says it came from the platform package" "npm package $plat_name"
[ -f "$app/node_modules/hookctl/hookctl.schema.json" ] &&
	ok "the package ships hookctl.schema.json (init's #:schema)" || bad "node_modules/hookctl/hookctl.schema.json is missing"
git -C "$app" add package.json package-lock.json hookctl.toml
git -C "$app" commit -q --no-verify -m "hookctl as a dev dependency"
refuses_untracked_import "a commit importing an untracked file is refused" "$app"
git -C "$app" add lib/slug.ts
expect_ok "the same commit with the file staged passes" git -C "$app" commit -q -m "gallery"

echo "== npm: a teammate's clone"
clone=$work/clone
git clone -q "$app" "$clone"
not_hooked "$clone" "a fresh clone has no hooks"
expect_ok "npm install in the clone" at "$clone" npm install
hooked "$clone" "npm install alone installed the hooks in the clone"
refuses_untracked_import "the clone's hook refuses a commit importing an untracked file" "$clone" other
git -C "$clone" reset -q
# min_version: a repository that needs a newer hookctl refuses the old one at hook time.
cp "$clone/hookctl.toml" "$work/hookctl.toml.saved"
printf 'min_version = "999.0.0"\n[pre-commit]\nchecks = ["imports"]\n' >"$clone/hookctl.toml"
git -C "$clone" add hookctl.toml
expect_fail "min_version newer than the installed hookctl fails the hook" git -C "$clone" commit -q -m pin
out_has "... with the version needed" "needs hookctl 999.0.0 or newer"
out_has "... and how to update" "npm i -D hookctl@^999.0.0"
git -C "$clone" reset -q
cp "$work/hookctl.toml.saved" "$clone/hookctl.toml"

echo "== npm: CI and production installs"
rm -f "$clone/.git/hooks/pre-commit" "$clone/.git/hooks/pre-push"
expect_ok "CI=true npm install exits 0" at "$clone" env CI=true npm install
out_has "... with one note" "CI=true, hooks not installed"
not_hooked "$clone" "CI=true installed no hook"
expect_ok "HOOKCTL=0 npm install exits 0" at "$clone" env HOOKCTL=0 npm install
out_has "... with one note" "HOOKCTL=0, hooks not installed"
not_hooked "$clone" "HOOKCTL=0 installed no hook"
nogit=$work/nogit
nogit_copy "$app" "$nogit"
expect_ok "npm ci --omit=dev in a copy without .git exits 0" at "$nogit" npm ci --omit=dev
[ -e "$nogit/node_modules/hookctl" ] && bad "--omit=dev installed hookctl" || ok "--omit=dev left hookctl out"
expect_ok "npm ci (hookctl installed) in a copy without .git exits 0" at "$nogit" npm ci
out_has "... with one note" "is not in a git repository, hooks not installed"

echo "== npm: no platform package"
# --omit=optional: npm tells the install script (npm_config_omit), and the launcher says so.
expect_ok "npm ci --omit=optional exits 0 (prepare: || exit 0)" at "$clone" npm ci --omit=optional
[ -z "$(installed_platforms "$clone")" ] && ok "--omit=optional left the platform package out" || bad "--omit=optional installed $(installed_platforms "$clone")"
not_hooked "$clone" "... so no hook was installed"
out_says "... and prepare says why, on stderr, naming the package, the cause and both fixes" \
	< <(msg_omitted "git hooks not installed" "npm_config_omit=optional" "npm install --include=optional")
# Outside an install nothing says optional dependencies were left out: the lockfile lists the
# package, so the possible causes.
expect_fail "node_modules/.bin/hookctl without the platform package fails" "$clone/node_modules/.bin/hookctl" --version
out_says "... naming the package, the possible causes and both fixes" < <(msg_maybe "cannot run" npm)
[ -z "$("$clone/node_modules/.bin/hookctl" --version 2>/dev/null)" ] && ok "... all of it on stderr" || bad "the launcher's message went to stdout"
# A lockfile written where this platform's entry was dropped (on another OS or CPU).
cp "$clone/package-lock.json" "$work/package-lock.json.saved"
node -e '
	const fs = require("fs");
	const [plat, ...files] = process.argv.slice(1);
	for (const f of files.filter((f) => fs.existsSync(f))) {
		const l = JSON.parse(fs.readFileSync(f, "utf8"));
		for (const k of Object.keys(l.packages)) if (k.endsWith("node_modules/" + plat)) delete l.packages[k];
		fs.writeFileSync(f, JSON.stringify(l, null, 2) + "\n");
	}
' "$plat_name" "$clone/package-lock.json" "$clone/node_modules/.package-lock.json"
expect_fail "a lockfile without this platform's entry: hookctl fails" "$clone/node_modules/.bin/hookctl" --version
out_says "... saying the lockfile lacks the entry, and the fix" < <(msg_lockfile "cannot run" package-lock.json npm)
# The fallback: a hookctl on PATH that is not a Node launcher (what `cargo install` puts there).
# The packed binary stands for it; a shell script named hookctl would be skipped (a launcher's shim).
mkdir -p "$work/cargo-bin"
tar -xzOf "$plat_tgz" package/hookctl >"$work/cargo-bin/hookctl"
chmod 755 "$work/cargo-bin/hookctl"
expect_ok "without the platform package, a hookctl on PATH runs" env PATH="$work/cargo-bin:$PATH" "$clone/node_modules/.bin/hookctl" --version
out_has "... the one on PATH" "$work/cargo-bin/hookctl"
expect_ok "npm install repairs the lockfile and installs the platform package" at "$clone" npm install
chose_platform "... the platform package is back" "$clone"
out_has "... and prepare installed the hooks" "pre-commit: installed"
cmp -s "$clone/package-lock.json" "$work/package-lock.json.saved" &&
	ok "... with the lockfile as it was" || bad "npm install left package-lock.json different from the original"
# A platform with no package: the launcher names the one it looked for.
printf 'Object.defineProperty(process, "platform", { value: "freebsd" });\n' >"$work/freebsd.js"
expect_fail "an unsupported platform: hookctl fails" node --require "$work/freebsd.js" "$clone/node_modules/hookctl/bin/hookctl.js" --version
arch=$(node -p process.arch)
out_says "... naming the package it looked for, the ones there are, and cargo install" <<EOF
hookctl: cannot run: no package @hookctl/cli-freebsd-$arch: hookctl's npm package has no binary for freebsd-$arch.
  Its binaries: linux-x64-gnu, linux-arm64-gnu, linux-x64-musl, darwin-x64, darwin-arm64.
hint: build hookctl from source: cargo install --locked hookctl (this command then runs the hookctl it puts on PATH)
EOF

# --- pnpm -------------------------------------------------------------------------------
if command -v pnpm >/dev/null 2>&1; then
	echo "== pnpm $(pnpm --version): sample app"
	export npm_config_store_dir=$work/pnpm-store
	papp=$work/pnpm-app
	make_app "$papp" pnpm-app
	expect_ok "pnpm add -D hookctl (from the registry)" at "$papp" pnpm add -D hookctl
	chose_platform "pnpm chose the platform package by os/cpu" "$papp" "$other_libc"
	expect_ok "pnpm exec hookctl init" at "$papp" pnpm exec hookctl init
	out_has "... adds the prepare script" 'added `"prepare": "hookctl install || exit 0"`'
	expect_ok "pnpm install (runs prepare)" at "$papp" pnpm install
	hooked "$papp" "pnpm install installed the hooks"
	expect_ok "pnpm exec hookctl --version" at "$papp" pnpm exec hookctl --version
	out_has "... runs the platform package's binary" "npm package $plat_name"
	git -C "$papp" add package.json pnpm-lock.yaml hookctl.toml
	git -C "$papp" commit -q --no-verify -m "hookctl as a dev dependency"
	refuses_untracked_import "pnpm: a commit importing an untracked file is refused" "$papp"
	git -C "$papp" reset -q

	echo "== pnpm: a teammate's clone, production installs, --no-optional"
	pclone=$work/pnpm-clone
	git clone -q "$papp" "$pclone"
	expect_ok "pnpm install --frozen-lockfile in a teammate's clone" at "$pclone" pnpm install --frozen-lockfile
	hooked "$pclone" "pnpm install alone installed the hooks in the clone"
	refuses_untracked_import "pnpm: the clone's hook refuses a commit importing an untracked file" "$pclone" other
	git -C "$pclone" reset -q
	pnogit=$work/pnpm-nogit
	nogit_copy "$papp" "$pnogit"
	expect_ok "pnpm install --prod --frozen-lockfile without .git exits 0" at "$pnogit" pnpm install --prod --frozen-lockfile
	[ -e "$pnogit/node_modules/hookctl" ] && bad "pnpm: --prod installed hookctl" || ok "pnpm: --prod left hookctl out"
	expect_ok "pnpm install --frozen-lockfile (hookctl installed) without .git exits 0" at "$pnogit" pnpm install --frozen-lockfile
	out_has "... with one note" "is not in a git repository, hooks not installed"
	rm -rf "$pclone/node_modules" "$pclone/.git/hooks/pre-commit" "$pclone/.git/hooks/pre-push"
	expect_ok "pnpm install --no-optional exits 0 (prepare: || exit 0)" at "$pclone" pnpm install --frozen-lockfile --no-optional
	[ -z "$(installed_platforms "$pclone")" ] && ok "pnpm: --no-optional left the platform package out" || bad "pnpm: --no-optional installed $(installed_platforms "$pclone")"
	not_hooked "$pclone" "... so no hook was installed"
	out_says "... and prepare says why, naming the package" \
		< <(msg_omitted "git hooks not installed" "npm_config_optional=" "pnpm install")
	drop_lock_entry "$pclone/pnpm-lock.yaml"
	expect_fail "pnpm: a lockfile without this platform's entry: hookctl fails" "$pclone/node_modules/.bin/hookctl" --version
	out_says "... saying the lockfile lacks the entry" < <(msg_lockfile "cannot run" pnpm-lock.yaml pnpm)

	echo "== pnpm: a workspace package with hookctl (--filter)"
	ws=$work/pnpm-ws
	mkdir -p "$ws/packages/web"
	printf '{ "name": "ws", "private": true }\n' >"$ws/package.json"
	printf 'packages:\n  - "packages/*"\n' >"$ws/pnpm-workspace.yaml"
	make_app "$ws/packages/web" web
	rm -rf "$ws/packages/web/.git"
	(cd "$ws/packages/web" && env -u npm_config_store_dir npm pkg set scripts.prepare="hookctl install || exit 0")
	printf 'node_modules/\n' >"$ws/.gitignore"
	printf '[pre-commit]\nchecks = ["imports"]\n' >"$ws/hookctl.toml"
	git -C "$ws" init -q -b main && git -C "$ws" add -A && git -C "$ws" commit -q --no-verify -m init
	expect_ok "pnpm --filter web add -D hookctl" at "$ws" pnpm --filter web add -D hookctl
	expect_ok "pnpm install at the workspace root" at "$ws" pnpm install
	hooked "$ws" "pnpm: the package's prepare installed the hooks at the repository root"
	grep -qF "node_bin='packages/web/node_modules/.bin/hookctl'" "$ws/.git/hooks/pre-commit" &&
		ok "pnpm: the hook tries the package's node_modules/.bin first" || bad "pnpm: the hook lacks packages/web/node_modules/.bin"
	refuses_untracked_import "pnpm --filter: a commit importing an untracked file is refused" "$ws/packages/web"
	unset npm_config_store_dir
elif [ "${PM_REQUIRED:-}" = 1 ]; then
	bad "pnpm is not on PATH"
else
	echo "skip: pnpm is not on PATH"
fi

# --- yarn 1 ------------------------------------------------------------------------------
if command -v yarn >/dev/null 2>&1 && yarn --version 2>/dev/null | grep -q '^1\.'; then
	echo "== yarn $(yarn --version): sample app"
	export YARN_CACHE_FOLDER=$work/yarn-cache
	yapp=$work/yarn-app
	make_app "$yapp" yarn-app
	expect_ok "yarn add -D hookctl (from the registry)" at "$yapp" yarn add -D hookctl
	chose_platform "yarn 1 chose the platform package by os/cpu" "$yapp" "$other_libc"
	from_registry "... each package from the local registry" "$yapp/yarn.lock"
	expect_ok "yarn hookctl init" at "$yapp" yarn --silent hookctl init
	out_has "... adds the prepare script" 'added `"prepare": "hookctl install || exit 0"`'
	expect_ok "yarn install (runs prepare)" at "$yapp" yarn install
	hooked "$yapp" "yarn install installed the hooks"
	expect_ok "yarn hookctl --version" at "$yapp" yarn --silent hookctl --version
	out_has "... runs the platform package's binary" "npm package $plat_name"
	git -C "$yapp" add package.json yarn.lock hookctl.toml
	git -C "$yapp" commit -q --no-verify -m "hookctl as a dev dependency"
	refuses_untracked_import "yarn: a commit importing an untracked file is refused" "$yapp"
	git -C "$yapp" reset -q

	echo "== yarn 1: a teammate's clone, production installs, --ignore-optional"
	yclone=$work/yarn-clone
	git clone -q "$yapp" "$yclone"
	expect_ok "yarn install --frozen-lockfile in a teammate's clone" at "$yclone" yarn install --frozen-lockfile
	hooked "$yclone" "yarn install alone installed the hooks in the clone"
	refuses_untracked_import "yarn: the clone's hook refuses a commit importing an untracked file" "$yclone" other
	git -C "$yclone" reset -q
	ynogit=$work/yarn-nogit
	nogit_copy "$yapp" "$ynogit"
	expect_ok "yarn install --production --frozen-lockfile without .git exits 0" at "$ynogit" yarn install --production --frozen-lockfile
	[ -e "$ynogit/node_modules/hookctl" ] && bad "yarn: --production installed hookctl" || ok "yarn: --production left hookctl out"
	rm -rf "$ynogit/node_modules"
	expect_ok "yarn install --frozen-lockfile (hookctl installed) without .git exits 0" at "$ynogit" yarn install --frozen-lockfile
	out_has "... with one note" "is not in a git repository, hooks not installed"
	rm -rf "$yclone/node_modules" "$yclone/.git/hooks/pre-commit" "$yclone/.git/hooks/pre-push"
	# yarn 1 does not tell the install script that optional dependencies are ignored: the
	# message says what may have happened.
	expect_ok "yarn install --ignore-optional exits 0 (prepare: || exit 0)" at "$yclone" yarn install --frozen-lockfile --ignore-optional
	[ -z "$(installed_platforms "$yclone")" ] && ok "yarn: --ignore-optional left the platform package out" || bad "yarn: --ignore-optional installed $(installed_platforms "$yclone")"
	not_hooked "$yclone" "... so no hook was installed"
	out_says "... and prepare says why it may be, naming the package" < <(msg_maybe "git hooks not installed" yarn)
	drop_lock_entry "$yclone/yarn.lock"
	expect_fail "yarn 1: a lockfile without this platform's entry: hookctl fails" "$yclone/node_modules/.bin/hookctl" --version
	out_says "... saying the lockfile lacks the entry" < <(msg_lockfile "cannot run" yarn.lock yarn)
	unset YARN_CACHE_FOLDER
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
	echo "== yarn $(berry --version) (berry, nodeLinker: node-modules)"
	export YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE=1 YARN_GLOBAL_FOLDER=$work/berry-global
	export YARN_NPM_REGISTRY_SERVER=${registry%/} YARN_UNSAFE_HTTP_WHITELIST=127.0.0.1
	# Yarn 4.10+ holds back versions published less than a day ago (these are seconds old).
	if (cd "$work" && berry config get npmMinimalAgeGate >/dev/null 2>&1); then export YARN_NPM_MINIMAL_AGE_GATE=0; fi
	bapp=$work/berry-app
	make_app "$bapp" berry-app
	printf 'nodeLinker: node-modules\n' >"$bapp/.yarnrc.yml"
	printf 'node_modules/\n.yarn/\n' >"$bapp/.gitignore"
	git -C "$bapp" add -A && git -C "$bapp" commit -q --no-verify -m "yarn berry"
	expect_ok "berry: yarn add -D hookctl (from the registry)" at "$bapp" berry add -D hookctl
	chose_platform "berry chose the platform package by os/cpu/libc" "$bapp"
	not_hooked "$bapp" "berry: no hooks before an install script exists"
	expect_ok "berry: yarn hookctl init" at "$bapp" berry hookctl init
	out_has "... adds the postinstall script (berry runs no prepare)" 'added `"postinstall": "hookctl install || exit 0"`'
	expect_ok "berry: yarn install (runs postinstall)" at "$bapp" berry install
	hooked "$bapp" "berry: yarn install installed the hooks"
	expect_ok "berry: yarn hookctl --version" at "$bapp" berry hookctl --version
	out_has "... runs the platform package's binary" "npm package $plat_name"
	git -C "$bapp" add -A && git -C "$bapp" commit -q --no-verify -m "hookctl as a dev dependency"
	refuses_untracked_import "berry: a commit importing an untracked file is refused" "$bapp"
	git -C "$bapp" reset -q
	bclone=$work/berry-clone
	git clone -q "$bapp" "$bclone"
	expect_ok "berry: yarn install --immutable in a teammate's clone" at "$bclone" berry install --immutable
	hooked "$bclone" "berry: yarn install alone installed the hooks in the clone"
	refuses_untracked_import "berry: the clone's hook refuses a commit importing an untracked file" "$bclone" other
	bnogit=$work/berry-nogit
	nogit_copy "$bapp" "$bnogit"
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
