#!/usr/bin/env bash
# The report is markdown: backticks inside single quotes are meant literally.
# shellcheck disable=SC2016
# bench/remote-cache.sh — the first full check of a fresh clone, with and without the team's
# Turborepo remote cache (`[cache] remote = "turbo"`, issue 23), beside the warm check of the
# clone that filled it. The server is turborepo-remote-cache from npm on loopback (its local
# storage provider). Corpora: gen.py's, as bench/run.sh makes them (bench/.corpora), or the
# folder CORPORA names (n20000, n100000, ... inside).
#
# usage: HOOKCTL_BIN=target/release/hookctl bench/remote-cache.sh [--sizes 20000,100000] [--runs N]
# Prints a markdown table and writes it to bench/results/<date>-remote-cache.md: wall-clock and
# CPU (user + sys) medians of each column, with the load average before and after. The warm
# check (clone A) and the fresh clone's check with the remote cache (B) are timed in turn, A B A
# B ..., each after the last check's detached writer is done and A after one untimed run, and
# their ratio is the median of the ratios pair by pair: the machine may be shared and its speed
# drifts over minutes, which timing A's runs apart from B's put into the ratio.
set -euo pipefail

sizes=20000
runs=3
while (($#)); do
	case $1 in
	--sizes) sizes=${2:?} && shift ;;
	--runs) runs=${2:?} && shift ;;
	-h | --help) sed -n '2,11p' "$0" && exit 0 ;;
	*) echo "remote-cache: unknown argument: $1" >&2 && exit 2 ;;
	esac
	shift
done
unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_COMMON_DIR GIT_OBJECT_DIRECTORY
unset TURBO_TEAMID TURBO_REMOTE_CACHE_SIGNATURE_KEY TURBO_REMOTE_CACHE_READ_ONLY

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(git -C "$script_dir" rev-parse --show-toplevel)
corpora=${CORPORA:-$script_dir/.corpora}
gen_py="$(dirname "$repo_root")/shared/gen-corpus/gen.py"
hookctl=${HOOKCTL_BIN:-$repo_root/target/release/hookctl}
[[ $hookctl == /* ]] || hookctl=$PWD/$hookctl
[[ -x $hookctl ]] || { echo "remote-cache: no hookctl at $hookctl (cargo build --release)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "remote-cache: needs hyperfine" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-remote-bench.XXXXXX")
server_pid=
cleanup() {
	[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

cli=${HOOKCTL_TEST_TURBO_CACHE:-}
if [[ -z $cli ]]; then
	npm install --silent --no-audit --no-fund --prefix "$tmp/trc" turborepo-remote-cache@2.12.0 >/dev/null
	cli=$tmp/trc/node_modules/turborepo-remote-cache/dist/cli.js
fi

corpus() { # N -> a committed gen.py corpus of N files
	local dir=$corpora/n$1
	if [[ ! -f $corpora/n$1.ok ]]; then
		mkdir -p "$corpora"
		python3 "$gen_py" --files "$1" --seed 1 --out "$dir.partial" --pack >/dev/null
		mv "$dir.partial" "$dir" && touch "$corpora/n$1.ok"
	fi
	echo "$dir"
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/store"
PORT=$port HOST=127.0.0.1 NODE_ENV=production STORAGE_PROVIDER=local STORAGE_PATH=$tmp/store \
	STORAGE_PATH_USE_TMP_FOLDER=false TURBO_TOKEN=bench-token LOG_LEVEL=error \
	node "$cli" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
	(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.2
done
export TURBO_API=http://127.0.0.1:$port TURBO_TOKEN=bench-token TURBO_TEAM=bench

# hookctl.local.toml: the remote cache on, without changing the checked snapshot.
local_toml='[cache]
remote = "turbo"
remote_timeout = "2s"'

# Wait (at most 20 s) until the detached writer of the last check in clone $1, if any, is done:
# the facts cache is there and no temporary file is left.
settle() {
	[[ -d $1/.git ]] || return 0
	for _ in $(seq 200); do
		[[ -f $1/.git/hookctl/facts.bin ]] && ! compgen -G "$1/.git/hookctl/*.tmp" >/dev/null && return 0
		sleep 0.1
	done
}
{ declare -f settle && echo 'settle "$1"'; } >"$tmp/settle.sh"
secs() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }
cpu() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["user"]+r["system"])' "$1"; }
# One timed run of a command: "<wall s> <cpu s>" (the process's own accounting, user + sys).
cat >"$tmp/timed.py" <<'PY'
import os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1); os.dup2(fd, 2)
    os.execvp(sys.argv[1], sys.argv[1:])
_, _, ru = os.wait4(pid, 0)
print(f"{time.perf_counter() - t:.6f} {ru.ru_utime + ru.ru_stime:.6f}")
PY
# The medians of pairs "<a wall> <a cpu> <b wall> <b cpu>" (one per line on stdin): A's wall and
# CPU, B's, and the medians of B/A pair by pair (wall, CPU).
medians() {
	python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
med = lambda xs: statistics.median(xs)
print(*[med([r[i] for r in rows]) for i in range(4)], med([r[2] / r[0] for r in rows]), med([r[3] / r[1] for r in rows]))'
}
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }
load_before=$(load)
fmt() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.0f ms", s*1000; else printf "%.2f s", s }'; }

out="| files | warm check (clone A) wall / CPU | fresh clone, first check, no remote cache wall / CPU | fresh clone, first check, remote cache wall / CPU | remote / warm (wall, median of pairs) | remote / warm (CPU, median of pairs) |
|---:|---:|---:|---:|---:|---:|"
for n in ${sizes//,/ }; do
	src=$(corpus "$n")
	a=$tmp/a$n
	git clone -q "$src" "$a"
	printf '%s\n' "$local_toml" >"$a/hookctl.local.toml"
	# Clone A: cold, fills the remote cache; then warm. A large cache write is done after the
	# answer by a detached process: wait for it before timing what follows.
	"$hookctl" -C "$a" check --all-findings >/dev/null 2>&1 || true
	settle "$a"
	prep="bash $tmp/settle.sh $tmp/b$n; rm -rf $tmp/b$n && git clone -q $a $tmp/b$n && cp $a/hookctl.local.toml $tmp/b$n/"
	# HOOKCTL_REMOTE_BENCH_SYNC=1: the clone's files are on disk before B's check is timed, so
	# the kernel's writeback of 100,000 new files does not run beside it (the check, not the
	# clone before it, is what is measured).
	[[ ${HOOKCTL_REMOTE_BENCH_SYNC:-0} == 1 ]] && prep+=" && sync"
	# HOOKCTL_REMOTE_BENCH_BINARY_CACHED=1 (the default with SYNC=1): then hookctl's binary is
	# read back into the page cache. On this bench's VM a clone of 20,000 files evicts some 100
	# of the binary's pages (with 19 GB free: `fincore` before and after), and the first
	# process after it read them from disk in major faults (3.6 ms of I/O waits on the main
	# thread in one traced run, `perf trace -F maj`: every major fault was in the binary). A's
	# timed check always has them (its untimed run before), and a runner that has just
	# installed hookctl has just written them: the clone's side effect is not the check's.
	[[ ${HOOKCTL_REMOTE_BENCH_BINARY_CACHED:-${HOOKCTL_REMOTE_BENCH_SYNC:-0}} == 1 ]] && prep+=" && cat $hookctl >/dev/null"
	hyperfine -r "$runs" -i --prepare "$prep && rm $tmp/b$n/hookctl.local.toml" --export-json "$tmp/cold$n.json" \
		"$hookctl -C $tmp/b$n check --all-findings" >/dev/null
	# A and B in turn: B (a fresh clone, synced), then A (after an untimed run).
	: >"$tmp/pairs$n"
	for _ in $(seq "$runs"); do
		bash -c "$prep"
		b=$(python3 "$tmp/timed.py" "$hookctl" -C "$tmp/b$n" check --all-findings)
		bash "$tmp/settle.sh" "$tmp/b$n"
		"$hookctl" -C "$a" check --all-findings >/dev/null 2>&1 || true
		a_run=$(python3 "$tmp/timed.py" "$hookctl" -C "$a" check --all-findings)
		echo "$a_run $b" >>"$tmp/pairs$n"
	done
	read -r w wc r rc ratio ratio_cpu < <(medians <"$tmp/pairs$n")
	c=$(secs "$tmp/cold$n.json") cc=$(cpu "$tmp/cold$n.json")
	out+="
| $n | $(fmt "$w") / $(fmt "$wc") | $(fmt "$c") / $(fmt "$cc") | $(fmt "$r") / $(fmt "$rc") | $(awk -v x="$ratio" 'BEGIN { printf "%.2f×", x }') | $(awk -v x="$ratio_cpu" 'BEGIN { printf "%.2f×", x }') |"
	rm -rf "$a" "$tmp/b$n"
done
report="# Fresh clone, first full check, with and without the remote cache ($(date -u +%F))

hookctl $("$hookctl" --version | head -1 | cut -d" " -f1-2); turborepo-remote-cache 2.12.0 on loopback (local storage);
medians of $runs runs, CPU = user + sys; A (warm) and B (remote cache) timed in turn, their ratios the medians pair
by pair; the fresh clone without the remote cache with hyperfine (CPU: means); gen.py corpora (--seed 1 --pack); $(nproc) CPUs;
fresh clones $([[ ${HOOKCTL_REMOTE_BENCH_SYNC:-0} == 1 ]] && echo "synced to disk (\`sync\`) before each timed check" || echo "timed right after \`git clone\` (its writeback may run beside the check)"),
$([[ ${HOOKCTL_REMOTE_BENCH_BINARY_CACHED:-${HOOKCTL_REMOTE_BENCH_SYNC:-0}} == 1 ]] && echo "hookctl's binary read back into the page cache after each clone (the clone evicts some of its pages here)" || echo "hookctl's binary's pages as the clone left them (some evicted on this VM)").
Load average (1, 5, 15 min) before: $load_before; after: $(load).

$out"
mkdir -p "$script_dir/results"
printf '%s\n' "$report" | tee "$script_dir/results/$(date -u +%F)-remote-cache.md"
