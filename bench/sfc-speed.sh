#!/usr/bin/env bash
# Issue 14's speed line: full checks of the 20k generated corpus with 10% of its files turned into
# .vue/.mdx (bench/sfc-convert.py) next to the same corpus unconverted, cold and warm.
#
#   bench/sfc-speed.sh [--bin PATH] [--base-bin PATH] [--rounds N] [--runs N]
#
# BIN measures both corpora; BASE_BIN (optional: a build of the commit before this work) measures
# the unconverted corpus too. Rounds alternate the commands (hyperfine per round, JSON kept) so
# that a busy machine's drift hits every command alike; medians over all rounds.
# Writes bench/results/sfc.md. Corpora under bench/.corpora/ (generated when missing).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin="$root/target/release/hookctl"
base_bin=""
rounds=3
runs=5
while [ $# -gt 0 ]; do
    case $1 in
        --bin) bin=$2; shift 2 ;;
        --base-bin) base_bin=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
corpora=${SFC_CORPORA:-$here/.corpora}
base=$corpora/n20000
conv=$corpora/n20000-sfc
gen="$(dirname "$root")/shared/gen-corpus/gen.py"
mkdir -p "$corpora"
[ -d "$base/.git" ] || python3 "$gen" --files 20000 --seed 1 --out "$base" --pack >/dev/null
[ -d "$conv/.git" ] || python3 "$here/sfc-convert.py" "$base" "$conv" --bin "$bin"
# Raw hyperfine JSON, kept beside the report.
out="$root/bench/results/sfc"
rm -rf "$out" && mkdir -p "$out"
unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE

cmds=()
names=()
add() { names+=("$1"); cmds+=("$2"); }
check="check --all-findings --format json"
add "unconverted, cold" "cd $base && rm -rf .git/hookctl && $bin $check"
add "converted, cold" "cd $conv && rm -rf .git/hookctl && $bin $check"
if [ -n "$base_bin" ]; then add "unconverted, cold, before (base build)" "cd $base && rm -rf .git/hookctl && $base_bin $check"; fi
add "unconverted, warm" "cd $base && $bin $check"
add "converted, warm" "cd $conv && $bin $check"
if [ -n "$base_bin" ]; then add "unconverted, warm, before (base build)" "cd $base && $base_bin $check"; fi

for r in $(seq 1 "$rounds"); do
    for i in "${!cmds[@]}"; do
        # warm commands: one unmeasured run leaves that binary's cache in place
        hyperfine --warmup 1 --runs "$runs" --export-json "$out/$r-$i.json" "${cmds[$i]}" >/dev/null
    done
done

python3 - "$out" "$rounds" "$root/bench/results/sfc.md" "$base" "$conv" "$bin" "$base_bin" "${names[@]}" -- "${cmds[@]}" <<'EOF'
import json, statistics, sys, os, subprocess, time
out, rounds, md, base, conv, bin_, base_bin = sys.argv[1:8]
rest = sys.argv[8:]
sep = rest.index("--")
names, cmds = rest[:sep], rest[sep + 1:]
times = {i: [] for i in range(len(names))}
cpu = {i: [] for i in range(len(names))}
for r in range(1, int(rounds) + 1):
    for i in range(len(names)):
        res = json.load(open(f"{out}/{r}-{i}.json"))["results"][0]
        times[i] += res["times"]
        cpu[i].append(res["user"] + res["system"])
med = {i: statistics.median(t) * 1000 for i, t in times.items()}
# CPU time (user + system, mean per round, median of rounds): less disturbed by other processes
# than wall time on a shared machine.
cpu_med = {i: statistics.median(c) * 1000 for i, c in cpu.items()}
def cpu_ratio(a, b):
    return f"{cpu_med[a] / cpu_med[b]:.3f}"
def ratio(a, b):
    return f"{med[a] / med[b]:.3f}"
idx = {n: i for i, n in enumerate(names)}
load = os.getloadavg()
lines = [
    "# Speed with .vue/.mdx files (issue 14)",
    "",
    f"Written by `bench/sfc-speed.sh` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 2 vCPUs shared with other builds",
    f"(load average at the end {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}: medians of {rounds} alternating rounds of hyperfine).",
    "",
    f"Corpus: `gen.py --files 20000 --seed 1 --pack` (`{base}`), and the same with 2000 of its 20000 TS files",
    "turned into 1000 `.vue` (`<script setup lang=\"ts\">` + `<template>`) and 1000 `.mdx` (imports as the ESM",
    "block, the rest of the code in a fenced block) with every importer's specifier fixed",
    f"(`bench/sfc-convert.py`; `{conv}`): both have 0 findings.",
    "",
    "| check (`hookctl check --all-findings --format json`) | median wall ms | CPU ms (user + sys) | runs |",
    "|---|---:|---:|---:|",
]
for i, n in enumerate(names):
    lines.append(f"| {n} | {med[i]:.0f} | {cpu_med[i]:.0f} | {len(times[i])} |")
lines += [
    "",
    "Ratios (wall; CPU):",
    "",
    f"- cold, converted / unconverted: **{ratio(idx['converted, cold'], idx['unconverted, cold'])}**; {cpu_ratio(idx['converted, cold'], idx['unconverted, cold'])}",
    f"- warm, converted / unconverted: **{ratio(idx['converted, warm'], idx['unconverted, warm'])}**; {cpu_ratio(idx['converted, warm'], idx['unconverted, warm'])}",
]
if "unconverted, cold, before (base build)" in idx:
    lines += [
        f"- cold, converted (this build) / unconverted (base build): **{ratio(idx['converted, cold'], idx['unconverted, cold, before (base build)'])}**; {cpu_ratio(idx['converted, cold'], idx['unconverted, cold, before (base build)'])}",
        f"- warm, converted (this build) / unconverted (base build): **{ratio(idx['converted, warm'], idx['unconverted, warm, before (base build)'])}**; {cpu_ratio(idx['converted, warm'], idx['unconverted, warm, before (base build)'])}",
    ]
lines += ["", "Base build: `git archive 3c371d5` (the commit this work started from) built with `cargo build --release`",
          "in its own folder. Raw hyperfine JSON: `bench/results/sfc/<round>-<command>.json`.", "",
          "Commands (cold ones delete the cache first):", ""]
for n, c in zip(names, cmds):
    lines.append(f"- {n}: `{c}`")
lines.append("")
open(md, "w").write("\n".join(lines))
print("\n".join(lines))
EOF
