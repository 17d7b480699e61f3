#!/usr/bin/env bash
# Does hookctl resolve imports as TypeScript does? Runs agree.mjs (see its header) over
#   (a) every fixture repo fixtures/*/ that has a tsconfig.json, each copied into a temporary
#       folder and committed as a fresh git repository;
#   (b) synthetic monorepos from ../shared/gen-corpus/gen.py beside the repository (skipped, with
#       a message, when absent): 2000 files seed 1 and 5000 files seed 7, and 2000 files seed 3
#       with --plant, whose planted import defects (untracked, deleted from the index, case
#       mismatch) must fail in TS too.
# Exits non-zero if any run disagrees (all runs are made first).
#
# Environment: HOOKCTL_BIN (default: `cargo build`, then target/debug/hookctl),
#   TS_AGREE_KEEP=1 keeps the temporary folder, TS_AGREE_ARGS extra arguments for agree.mjs
#   (e.g. --strict-modes).
# Needs node >= 18, npm, python3, git; typescript comes from package-lock.json (npm ci).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gen="$(dirname "$root")/shared/gen-corpus/gen.py"

# -------------------------------------------------------------------- TypeScript
want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/typescript"].version)' "$here/package-lock.json")
have=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("none") }' \
    "$here/node_modules/typescript/package.json")
if [ "$have" != "$want" ]; then
    echo "ts-agree: installing typescript $want (npm ci)"
    npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
fi

# ----------------------------------------------------------------------- hookctl
if [ -n "${HOOKCTL_BIN:-}" ]; then
    bin=$HOOKCTL_BIN
else
    echo "ts-agree: cargo build"
    (cd "$root" && cargo build --quiet --bin hookctl)
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/hookctl"
    case $bin in /*) ;; *) bin="$root/$bin" ;; esac
fi
[ -x "$bin" ] || { echo "ts-agree: no hookctl binary at $bin" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ts-agree.XXXXXX")
if [ "${TS_AGREE_KEEP:-0}" = 1 ]; then
    echo "ts-agree: keeping $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi

# Git without the caller's identity, hooks or signing.
export GIT_AUTHOR_NAME=ts-agree GIT_AUTHOR_EMAIL=ts-agree@example.invalid
export GIT_COMMITTER_NAME=ts-agree GIT_COMMITTER_EMAIL=ts-agree@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE

passed=0
failed=0
failures=""
agree() { # NAME REPO [agree.mjs args...]
    name=$1
    repo=$2
    shift 2
    echo
    echo "######## $name"
    # shellcheck disable=SC2086 # TS_AGREE_ARGS is a list of words
    if node "$here/agree.mjs" "$repo" --hookctl "$bin" "$@" ${TS_AGREE_ARGS:-}; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
    fi
}

# ------------------------------------------------------------------ (a) fixtures
found=0
for ts in "$root"/fixtures/*/tsconfig.json; do
    [ -f "$ts" ] || continue
    src=$(dirname "$ts")
    name=fixture-$(basename "$src")
    repo="$tmp/$name"
    mkdir -p "$repo"
    cp -R "$src/." "$repo/"
    rm -rf "$repo/.git"
    git -C "$repo" init -q
    git -C "$repo" add -A
    git -C "$repo" -c commit.gpgsign=false commit -q --no-verify -m "fixture $name"
    found=$((found + 1))
    agree "$name" "$repo"
done
[ "$found" -gt 0 ] || echo "ts-agree: no fixtures/*/tsconfig.json found"

# ------------------------------------------------------------- (b) gen-corpus
if [ -f "$gen" ]; then
    corpus() { # NAME gen.py args...
        name=$1
        shift
        echo
        echo "ts-agree: python3 gen.py $* --out $tmp/$name"
        python3 "$gen" "$@" --out "$tmp/$name" >"$tmp/$name.gen.log"
    }
    corpus corpus-2000-s1 --files 2000 --seed 1
    agree corpus-2000-s1 "$tmp/corpus-2000-s1"
    corpus corpus-5000-s7 --files 5000 --seed 7
    agree corpus-5000-s7 "$tmp/corpus-5000-s7"
    corpus corpus-2000-s3-plant --files 2000 --seed 3 --plant --manifest "$tmp/plant-manifest.json"
    agree corpus-2000-s3-plant "$tmp/corpus-2000-s3-plant" --manifest "$tmp/plant-manifest.json"
else
    echo
    echo "ts-agree: $gen not found; skipping the synthetic corpora"
fi

echo
if [ "$failed" -gt 0 ]; then
    echo "ts-agree: disagreement in:$failures"
fi
echo "ts-agree: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
