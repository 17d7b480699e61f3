#!/usr/bin/env bash
# The real-repo corpus: hookctl next to TypeScript's own resolver on pinned public repositories.
#
#   bench/real-repos.sh [NAME-FILTER]
#
# For each repository of bench/real-repos/repos.txt (owner/name, pinned commit), from a bare
# mirror under $HOOKCTL_MIRRORS (default: ../.mirror beside this repository, one
# `<owner>+<name>/repo` git dir each, as the search tool's `fetch` lays them out): exports the
# pinned tree into a fresh git repository (bench/real-repos/export.py, tolerating missing blobs),
# runs tests/ts-agree/agree.mjs over every relative, alias, workspace and baseUrl import of the
# index, and `hookctl check --all-findings --format json` cold (cache removed) and warm, then
# writes bench/results/real-repos.md (the table) and bench/results/real-repos/<repo>.json.
# Not part of CI (CI cannot fetch). Needs python3, node, npm, git; builds hookctl (release)
# unless HOOKCTL_BIN is set.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mirrors=${HOOKCTL_MIRRORS:-$(dirname "$root")/.mirror}
work=${REAL_REPOS_WORK:-$root/bench/.real-repos}

if [ -z "${HOOKCTL_BIN:-}" ]; then
    (cd "$root" && cargo build --release --quiet --bin hookctl)
    HOOKCTL_BIN="${CARGO_TARGET_DIR:-$root/target}/release/hookctl"
fi
want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/typescript"].version)' "$root/tests/ts-agree/package-lock.json")
have=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("none") }' \
    "$root/tests/ts-agree/node_modules/typescript/package.json")
[ "$have" = "$want" ] || npm ci --prefix "$root/tests/ts-agree" --no-audit --no-fund --loglevel=error

exec python3 "$here/real-repos/run.py" --bin "$HOOKCTL_BIN" --mirrors "$mirrors" --work "$work" \
    --repos "$here/real-repos/repos.txt" --agree "$root/tests/ts-agree/agree.mjs" \
    --out "$root/bench/results" "$@"
