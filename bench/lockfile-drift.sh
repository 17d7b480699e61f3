#!/usr/bin/env bash
# The cost of `deps/lockfile-drift` (issue 13): what it adds to a warm pre-commit on the 20k-file
# gen.py corpus, and how fast the lockfile readers are on 5 MB lockfiles. Writes its section of
# bench/results/deploy-rules.md (between the `lockfile-drift` markers) and the raw hyperfine JSON
# in bench/results/deploy-rules/. Not a test; CI never runs it.
#
#   bench/lockfile-drift.sh [CORPUS]     # default: bench/.corpora/n20000 (generated when missing)
#   HOOKCTL_BIN=path  BASE_BIN=path      # the binary to measure (default: cargo build --release);
#                                        # BASE_BIN: a build without the rule, measured beside it
#
# The corpus ships no lockfile: a pnpm-lock.yaml in sync with its manifests, padded to 5 MB
# (bench/lockfile-pnpm.py), is committed into a temporary clone. Then, warm (a full check first):
#   1. 10 staged .ts edits (bench/stage-edits.py), no package.json or lockfile staged: the hook
#      with the rule, and with the `deps` group skipped (HOOKCTL_SKIP=deps) — the difference is
#      what the rule adds (its only cost there: comparing the lockfiles' blob ids with HEAD's);
#   2. a dependency added to apps/web/package.json only (the commit the rule exists for: refused),
#      the hook with and without the rule, and the rule's own time (HOOKCTL_TIMINGS);
#   3. the lockfile alone changed (a specifier respelled: refused).
# Plus `cargo bench --bench lockfile` (5 MB pnpm-lock.yaml, yarn.lock, package-lock.json).
set -euo pipefail
unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_COMMON_DIR GIT_OBJECT_DIRECTORY
if [[ -n ${CI:-} && ${HOOKCTL_BENCH_IN_CI:-} != 1 ]]; then
	echo "bench: CI is set: benchmarks do not run in CI" >&2
	exit 0
fi
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(git -C "$script_dir" rev-parse --show-toplevel)
gen_py="$(dirname "$repo_root")/shared/gen-corpus/gen.py"
corpus=${1:-$script_dir/.corpora/n20000}
runs=${RUNS:-20}
rounds=${ROUNDS:-3}
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null

if [[ ! -d $corpus/.git ]]; then
	echo "bench: generating $corpus" >&2
	python3 "$gen_py" --files 20000 --seed 1 --out "$corpus" --pack >/dev/null
fi
bin=${HOOKCTL_BIN:-}
if [[ -z $bin ]]; then
	(cd "$repo_root" && cargo build --release --quiet)
	bin=$repo_root/target/release/hookctl
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-lockbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
work=$tmp/repo
git clone -q "$corpus" "$work"
git -C "$work" config user.name bench
git -C "$work" config user.email bench@example.invalid
python3 "$script_dir/lockfile-pnpm.py" "$work" --mib 5
git -C "$work" add pnpm-lock.yaml
git -C "$work" commit -q --no-verify -m "pnpm-lock.yaml"
lock_mib=$(python3 -c 'import os,sys; print(f"{os.path.getsize(sys.argv[1])/1048576:.1f}")' "$work/pnpm-lock.yaml")

raw=$script_dir/results/deploy-rules
mkdir -p "$raw"
hf() { # KEY [commands]: per command, the median (ms) over ROUNDS hyperfine rounds of its median
	# (rounds alternate the commands, so that a neighbour's load hits each alike)
	local key=$1 round
	shift
	for round in $(seq "$rounds"); do
		(cd "$work" && hyperfine -N --style none --warmup 2 --runs "$runs" -i --export-json "$raw/$key.$round.json" "$@") >/dev/null
	done
	python3 - "$raw/$key" "$rounds" <<'PY'
import json, statistics, sys
base, rounds = sys.argv[1], int(sys.argv[2])
per = [json.load(open(f"{base}.{r}.json"))["results"] for r in range(1, rounds + 1)]
print(" ".join("%.1f" % (statistics.median(p[i]["median"] for p in per) * 1000) for i in range(len(per[0]))))
PY
}
timing_of() { # PHASE: the median of 7 runs of the hook's HOOKCTL_TIMINGS line for PHASE (ms)
	local phase=$1
	for _ in 1 2 3 4 5 6 7; do
		{ (cd "$work" && HOOKCTL_TIMINGS=1 "$bin" run pre-commit 2>&1 >/dev/null) || true; } |
			sed -n "s/.*timing: $phase: \([0-9.]*\) ms.*/\1/p" | head -n 1
	done | sort -n | sed -n 4p
}
cmds() { # the hook with the rule, without it, and the base build if given
	printf '%s\n' "env $bin run pre-commit" "env HOOKCTL_SKIP=deps $bin run pre-commit"
	[[ -z ${BASE_BIN:-} ]] || printf '%s\n' "env $BASE_BIN run pre-commit"
}
mapfile -t commands < <(cmds)

(cd "$work" && "$bin" check --format json >/dev/null) || true # warm cache
# 1. 10 staged source edits.
mapfile -t edited < <(python3 "$script_dir/stage-edits.py" "$work" 10)
git -C "$work" add -- "${edited[@]}"
(cd "$work" && "$bin" run pre-commit >/dev/null) || {
	echo "bench: the 10-file pre-commit should pass" >&2
	exit 1
}
read -r -a m1 <<<"$(hf pre-commit-10-edits "${commands[@]}")"
scoped_ms=$(timing_of "lockfile drift (scoped)")
git -C "$work" reset -q --hard

# 2. A dependency added to apps/web/package.json only.
python3 - "$work/apps/web/package.json" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p))
j["dependencies"]["left-pad"] = "^1.3.0"
open(p, "w").write(json.dumps(j, indent=2) + "\n")
PY
git -C "$work" add apps/web/package.json
out=$(cd "$work" && "$bin" run pre-commit 2>&1) && {
	echo "bench: the package.json-only commit should be refused" >&2
	exit 1
}
grep -q 'deps/lockfile-drift' <<<"$out" || {
	echo "bench: expected a deps/lockfile-drift finding: $out" >&2
	exit 1
}
read -r -a m2 <<<"$(hf pre-commit-package-json "${commands[@]}")"
rule_ms=$(timing_of "lockfile drift")
git -C "$work" reset -q --hard

# 3. The lockfile alone: a specifier respelled.
sed -i '0,/specifier: \^1.0.0/s//specifier: ^1.0.1/' "$work/pnpm-lock.yaml"
git -C "$work" add pnpm-lock.yaml
(cd "$work" && "$bin" run pre-commit >/dev/null 2>&1) && {
	echo "bench: the lockfile-only commit should be refused" >&2
	exit 1
}
read -r -a m3 <<<"$(hf pre-commit-lockfile-only "${commands[@]}")"
lock_only_ms=$(timing_of "lockfile drift (scoped)")
git -C "$work" reset -q --hard

parse_table=$(cd "$repo_root" && cargo bench --quiet --bench lockfile 2>/dev/null | grep '^|')

section=$(
	echo "<!-- lockfile-drift: written by bench/lockfile-drift.sh -->"
	echo "## deps/lockfile-drift"
	echo
	rev=$(git -C "$repo_root" rev-parse --short HEAD)
	[[ -z $(git -C "$repo_root" status --porcelain -- src Cargo.toml) ]] || rev+=" + uncommitted changes"
	echo "$(date -u +%Y-%m-%d), $(nproc) cores (load average $(cut -d' ' -f1 /proc/loadavg) at the end), hookctl $rev."
	echo "Corpus: gen.py --files 20000 --seed 1, plus a ${lock_mib} MiB pnpm-lock.yaml in sync with its 21"
	echo "manifests (bench/lockfile-pnpm.py). Warm cache; hyperfine: the median of $rounds rounds' medians"
	echo "of $runs runs each (raw JSON in"
	echo "\`bench/results/deploy-rules/\`). \"skipped\" is the same binary with \`HOOKCTL_SKIP=deps\`."
	echo
	if [[ -n ${BASE_BIN:-} ]]; then
		echo "| pre-commit (20k files) | with the rule | \`deps\` skipped | build without the rule | rule adds |"
		echo "|---|---|---|---|---|"
	else
		echo "| pre-commit (20k files) | with the rule | \`deps\` skipped | rule adds |"
		echo "|---|---|---|---|"
	fi
	row() { # LABEL m...
		local label=$1 on=$2 off=$3 base=${4:-}
		local add
		add=$(python3 -c "print(f'{$on - $off:+.1f} ms')")
		if [[ -n ${BASE_BIN:-} ]]; then
			echo "| $label | $on ms | $off ms | $base ms | $add |"
		else
			echo "| $label | $on ms | $off ms | $add |"
		fi
	}
	row "10 staged .ts edits, no package.json/lockfile staged" "${m1[@]}"
	row "a dependency added to apps/web/package.json only (refused)" "${m2[@]}"
	row "pnpm-lock.yaml alone changed (refused)" "${m3[@]}"
	echo
	echo "The rule's own time inside the hook (\`HOOKCTL_TIMINGS=1\`, median of 7 runs), free of the"
	echo "machine's noise: ${scoped_ms} ms with 10 staged .ts edits (it only compares the lockfiles' blob"
	echo "ids with HEAD's), ${rule_ms} ms for the package.json commit (read the ${lock_mib} MiB lockfile blob,"
	echo "parse its importers, compare 21 manifests), ${lock_only_ms} ms for the lockfile-only commit"
	echo "(both lockfiles, the snapshot's and HEAD's, parsed)."
	echo
	echo "Lockfile readers on generated 5 MB lockfiles (\`cargo bench --bench lockfile\`, median):"
	echo
	echo "$parse_table"
	echo "<!-- /lockfile-drift -->"
)
results=$script_dir/results/deploy-rules.md
[[ -f $results ]] || printf '# Deploy-readiness rules (issue 13): measurements\n\n' >"$results"
python3 - "$results" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- lockfile-drift.*?<!-- /lockfile-drift -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "bench: wrote $results" >&2
