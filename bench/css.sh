#!/usr/bin/env bash
# bench/css.sh — what reading stylesheets costs: `hookctl check --all-findings` cold and warm on
# the 20k-file gen.py corpus, as generated (972 `.module.css` files without imports) and with
# 2,048 more stylesheets importing each other and fonts (bench/gen-css.py), for two binaries:
# BEFORE (without stylesheet scanning) and AFTER. Prints markdown rows for bench/results/css.md.
# Not a test: numbers depend on the machine and its load (the load average is printed); on a
# shared machine the CPU time (user + system, mean) is the steadier figure.
#
#   BEFORE=/path/to/old/hookctl AFTER=target/release/hookctl bench/css.sh [WORKDIR]
set -euo pipefail

: "${BEFORE:?BEFORE=path of the binary without stylesheet scanning}"
: "${AFTER:?AFTER=path of the binary with it}"
work=${1:-/tmp/hookctl-css-bench}
runs_cold=${RUNS_COLD:-5}
runs_warm=${RUNS_WARM:-10}
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gen_py="$(dirname "$(dirname "$script_dir")")/shared/gen-corpus/gen.py"
[[ -f $gen_py ]] || gen_py=../shared/gen-corpus/gen.py
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install -y hyperfine)" >&2; exit 1; }
unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_COMMON_DIR GIT_OBJECT_DIRECTORY

mkdir -p "$work"
plain=$work/n20000
css=$work/n20000-css
if [[ ! -d $plain ]]; then
	python3 "$gen_py" --files 20000 --seed 1 --out "$plain.partial" --pack >"$work/gen.log"
	mv "$plain.partial" "$plain"
fi
if [[ ! -d $css ]]; then
	cp -a "$plain" "$css.partial"
	python3 "$script_dir/gen-css.py" "$css.partial" --files 2000 --commit >/dev/null
	git -C "$css.partial" gc -q
	mv "$css.partial" "$css"
fi

median() { # hyperfine JSON -> "median ms (±stddev)"
	python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.0f ms (±%.0f) · CPU %.0f ms" % (r["median"] * 1000, (r["stddev"] or 0) * 1000, (r["user"] + r["system"]) * 1000))
EOF
}

echo "| corpus | binary | cold: median wall (±sd) · mean CPU | warm: median wall (±sd) · mean CPU | files checked | findings |"
echo "|---|---|---|---|---|---|"
for dir in "$plain" "$css"; do
	for which in BEFORE AFTER; do
		bin=${!which}
		out=$(cd "$dir" && "$bin" check --all-findings --format json || true)
		files=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["summary"]["files"])' <<<"$out")
		count=$(python3 -c 'import json,sys; print(len(json.loads(sys.stdin.read())["findings"]))' <<<"$out")
		(cd "$dir" && hyperfine -N -i --style none --runs "$runs_cold" --prepare "rm -rf $dir/.git/hookctl" \
			--export-json "$work/cold.json" "$bin check --all-findings --format json") >/dev/null
		(cd "$dir" && hyperfine -N -i --style none --warmup 1 --runs "$runs_warm" \
			--export-json "$work/warm.json" "$bin check --all-findings --format json") >/dev/null
		echo "| $(basename "$dir") | $which | $(median "$work/cold.json") | $(median "$work/warm.json") | $files | $count |"
	done
done
# The stylesheets alone (with their fonts, images and package.json files): what reading and
# resolving them costs, without 20,000 TS files around it.
only=$work/css-only
if [[ ! -d $only ]]; then
	mkdir -p "$only.partial"
	git -C "$css" ls-files | grep -E '\.(css|scss|sass|less|woff2|png)$|(^|/)package\.json$' >"$work/css-only.list"
	(cd "$css" && tar -cf - -T "$work/css-only.list") | tar -xf - -C "$only.partial"
	git -C "$only.partial" init -q
	git -C "$only.partial" add -A
	git -C "$only.partial" -c user.name=bench -c user.email=bench@example.com commit -qm stylesheets
	mv "$only.partial" "$only"
fi
(cd "$only" && hyperfine -N -i --style none --runs "$runs_warm" --prepare "rm -rf $only/.git/hookctl" \
	--export-json "$work/cold.json" "$AFTER check --all-findings --format json") >/dev/null
(cd "$only" && hyperfine -N -i --style none --warmup 1 --runs "$runs_warm" \
	--export-json "$work/warm.json" "$AFTER check --all-findings --format json") >/dev/null
n=$(grep -cE '\.(css|scss|sass|less)$' "$work/css-only.list")
echo "| stylesheets only ($n) | AFTER | $(median "$work/cold.json") | $(median "$work/warm.json") | $n | 0 |"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
