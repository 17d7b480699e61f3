#!/usr/bin/env bash
# bench/deploy-rules.sh — does issue 13's deps/dev-only-at-runtime and git/clean cost anything in
# a warm pre-commit? hyperfine, two binaries (before/after), one gen.py corpus, two variants:
#   as generated: no package has a `start` script that runs Node (the rule returns at once);
#   active:       every `packages/*` package gets `"start": "node src/index.ts"`, committed (the
#                 rule looks at every staged file of those packages).
# usage: bench/deploy-rules.sh BEFORE_BIN AFTER_BIN CORPUS_DIR [RUNS]
# The corpus: python3 ../shared/gen-corpus/gen.py --files 20000 --out CORPUS_DIR (left modified:
# the `active` variant adds a commit).
set -euo pipefail
before=${1:?before binary} after=${2:?after binary} dir=${3:?corpus dir} runs=${4:-30}
script_dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir"
git reset --hard -q
stage() {
	mapfile -t edited < <(python3 "$script_dir/stage-edits.py" . 10)
	# Half in packages/* so that the active variant has staged files the rule looks at.
	mapfile -t more < <(git ls-files -- 'packages/*/src/*.ts' | grep -v -e '\.d\.ts$' -e '\.test\.' | awk 'NR % 400 == 1' | head -5)
	for f in "${more[@]}"; do printf '\nexport const __benchDeploy = 1;\n' >>"$f"; done
	git add -- "${edited[@]}" "${more[@]}"
}
measure() {
	local label=$1
	"$after" check --all-findings --format json >/dev/null 2>&1 || true # warm the cache
	"$before" run pre-commit >/dev/null 2>&1 || true
	"$after" run pre-commit >/dev/null 2>&1 || true
	# Two rounds in opposite orders: on a shared machine the load drifts between the runs of
	# one command and the next.
	hyperfine -N --style basic --warmup 2 --runs "$runs" --export-json "/tmp/deploy-rules-$label-1.json" \
		-n "before ($label)" "$before run pre-commit" \
		-n "after ($label)" "$after run pre-commit"
	hyperfine -N --style basic --warmup 2 --runs "$runs" --export-json "/tmp/deploy-rules-$label-2.json" \
		-n "after ($label)" "$after run pre-commit" \
		-n "before ($label)" "$before run pre-commit"
}
stage
measure generated
git reset --hard -q
for p in packages/*/package.json; do
	python3 - "$p" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d.setdefault("scripts", {})["start"] = "node src/index.ts"
json.dump(d, open(p, "w"), indent=2)
PY
done
git commit -qam "bench: start scripts (deps/dev-only-at-runtime active)" --no-verify
stage
measure active
git reset --hard -q
