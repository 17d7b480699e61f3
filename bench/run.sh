#!/usr/bin/env bash
# The report is markdown: backticks inside single quotes are meant literally.
# shellcheck disable=SC2016
# bench/run.sh — hookctl's benchmark suite: hyperfine + GNU time on gen.py corpora, compared with
# lefthook, prek and TypeScript in the same run. Writes bench/results/<date>.md and the raw
# hyperfine JSON beside it (bench/results/<date>/). Not a test: CI never runs it (it refuses
# when CI is set, unless HOOKCTL_BENCH_IN_CI=1). See bench/README.md.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/run.sh [--sizes N,N,...] [--quick] [--speed] [--note TEXT]

  --sizes LIST   corpus sizes in TS/JS files (default 2000,20000; 100000 takes long)
  --quick        fewer runs: a smoke run, not numbers to quote
  --speed        only the hook-path rows (issue 22): pre-commit with `git diff --cached` as the
                 yardstick, its phases (HOOKCTL_TIMINGS), warm full check and peak memory, two
                 worktrees alternating, 60 MB of committed binaries; HOOKCTL_BEFORE_BIN measured
                 beside HOOKCTL_BIN in the same hyperfine runs when set
  --note TEXT    a line for the report (e.g. "machine busy")
  -h, --help     this text

environment:
  HOOKCTL_BIN          the binary to measure (default: cargo build --release, target/release/hookctl)
  HOOKCTL_BEFORE_BIN   with --speed: a second binary (e.g. main's) measured in the same runs
  HOOKCTL_BENCH_IN_CI  set to 1 to run even when CI is set
EOF
}

sizes=2000,20000
quick=0
speed=0
note=
while (($#)); do
	case $1 in
	--sizes) sizes=${2:?--sizes needs a value, e.g. --sizes 2000,20000} && shift ;;
	--sizes=*) sizes=${1#--sizes=} ;;
	--quick) quick=1 ;;
	--speed) speed=1 ;;
	--note) note=${2:?--note needs a value} && shift ;;
	--note=*) note=${1#--note=} ;;
	-h | --help) usage && exit 0 ;;
	*) echo "bench: unknown argument: $1" >&2 && usage >&2 && exit 2 ;;
	esac
	shift
done
if [[ ! $sizes =~ ^[0-9]+(,[0-9]+)*$ ]]; then
	echo "bench: --sizes wants numbers separated by commas, got '$sizes'" >&2
	exit 2
fi
IFS=, read -r -a size_list <<<"$sizes"

if [[ -n ${CI:-} && ${HOOKCTL_BENCH_IN_CI:-} != 1 ]]; then
	echo "bench: CI is set: benchmarks do not run in CI (HOOKCTL_BENCH_IN_CI=1 forces it)" >&2
	exit 0
fi

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

# A hook or an editor may have set these; they would point git at another repository.
unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_COMMON_DIR GIT_OBJECT_DIRECTORY

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(git -C "$script_dir" rev-parse --show-toplevel) || die "$script_dir is not inside a git work tree"
gen_py="$(dirname "$repo_root")/shared/gen-corpus/gen.py"
corpora="$script_dir/.corpora"
results="$script_dir/results"

hookctl=
if [[ -n ${HOOKCTL_BIN:-} ]]; then
	hookctl=$HOOKCTL_BIN
	[[ $hookctl == /* ]] || hookctl="$PWD/$hookctl"
	[[ -f $hookctl && -x $hookctl ]] || die "HOOKCTL_BIN=$HOOKCTL_BIN is not an executable file"
fi

if ((quick)); then
	runs_cold=3 runs_warm=10 runs_pre=10 runs_pre_cold=3 runs_noop=20 runs_commit=10
	runs_mem=1 runs_ts=2 tsc_limit=180
else
	runs_cold=10 runs_warm=30 runs_pre=30 runs_pre_cold=10 runs_noop=100 runs_commit=50
	runs_mem=3 runs_ts=5 tsc_limit=300
fi

# --------------------------------------------------------------------------- temp dir, cleanup
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-bench.XXXXXX")
dirty_corpus= # a corpus with staged edits, to reset whatever happens
scratch_file= # a file written into a corpus, to delete whatever happens
raw=           # this run's raw-results dir: removed when the run stops before its report
report_done=0
cleanup() {
	local rc=$?
	[[ -z $raw ]] || ((report_done)) || rm -rf "$raw"
	[[ -z $scratch_file ]] || rm -f "$scratch_file"
	if [[ -n $dirty_corpus ]]; then
		git -C "$dirty_corpus" reset --hard -q || echo "bench: could not reset $dirty_corpus: run git -C $dirty_corpus reset --hard" >&2
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --------------------------------------------------------------------------- tools
apt_updated=0
apt_install() { # PACKAGE: install a Debian package, with one `apt-get update` if the first try fails
	local pkg=$1 sudo=()
	((EUID == 0)) || sudo=(sudo)
	log "installing $pkg (apt-get)"
	if "${sudo[@]}" apt-get install -y -q "$pkg" >"$tmp/apt.log" 2>&1; then return 0; fi
	if ((!apt_updated)); then
		apt_updated=1
		"${sudo[@]}" apt-get update -q >>"$tmp/apt.log" 2>&1 || true
		"${sudo[@]}" apt-get install -y -q "$pkg" >>"$tmp/apt.log" 2>&1 && return 0
	fi
	tail -5 "$tmp/apt.log" >&2
	return 1
}

for cmd in git python3 node npm; do
	command -v "$cmd" >/dev/null || die "$cmd is needed and not on PATH"
done
[[ -f $gen_py ]] || die "the corpus generator is not at $gen_py"
command -v hyperfine >/dev/null || apt_install hyperfine || die "hyperfine could not be installed"
[[ -x /usr/bin/time ]] || apt_install time || die "GNU time (/usr/bin/time) could not be installed"

declare -A skipped=() # what could not be measured -> why

# lefthook and TypeScript from npm, into the temp dir. TypeScript twice: 5.x has the compiler API
# (ts.resolveModuleName) that ts-resolve.mjs uses; 7.x is the native compiler, today's `tsc`.
if ((speed)); then skip_tools=1; else skip_tools=0; fi
npm_prefix="$tmp/npm"
npm_pkgs=(typescript@5 typescript7@npm:typescript@7)
if ((!skip_tools)); then
lefthook_bin=$(command -v lefthook || true)
[[ -n $lefthook_bin ]] || npm_pkgs+=(lefthook)
# --ignore-scripts, run from the temp dir: lefthook's postinstall would otherwise `lefthook install`
# into the git repository npm was started in (its hooks, and a lefthook.yml). The binaries come in
# optional per-platform packages and need no script.
npm_install() { (cd "$tmp" && LEFTHOOK=0 npm install --prefix "$npm_prefix" --ignore-scripts --no-audit --no-fund --loglevel=error "$@"); }
log "installing ${npm_pkgs[*]} (npm, into $npm_prefix)"
if ! npm_install "${npm_pkgs[@]}" >"$tmp/npm.log" 2>&1; then
	tail -5 "$tmp/npm.log" >&2
	log "npm install failed: trying the packages one by one"
	for p in "${npm_pkgs[@]}"; do
		npm_install "$p" >>"$tmp/npm.log" 2>&1 || log "npm could not install $p"
	done
fi
ts_module="$npm_prefix/node_modules/typescript"
tsc5="$npm_prefix/node_modules/typescript/bin/tsc"
tsc7="$npm_prefix/node_modules/typescript7/bin/tsc"
[[ -f $ts_module/package.json ]] || skipped[typescript]="npm could not install typescript@5"
[[ -x $tsc7 ]] || skipped[tsc7]="npm could not install typescript@7"
if [[ -z $lefthook_bin ]]; then
	# The npm package's bin is a node wrapper; its hooks call the native binary by its absolute
	# path, so measure that binary.
	lefthook_bin=$(find "$npm_prefix/node_modules" -path '*/lefthook-*/bin/lefthook' -type f 2>/dev/null | head -n 1)
	[[ -n $lefthook_bin ]] || skipped[lefthook]="npm could not install lefthook"
fi

prek_bin=$(command -v prek || true)
if [[ -z $prek_bin ]]; then
	log "installing prek (pip, into a venv under $tmp)"
	if python3 -m venv "$tmp/venv" >"$tmp/pip.log" 2>&1 &&
		"$tmp/venv/bin/pip" install -q prek >>"$tmp/pip.log" 2>&1; then
		prek_bin="$tmp/venv/bin/prek"
	else
		tail -5 "$tmp/pip.log" >&2
		skipped[prek]="pip could not install prek"
	fi
fi
fi
export PREK_HOME="$tmp/prek-home" # prek's cache and log, not ~/.cache/prek

if [[ -z ${HOOKCTL_BIN:-} ]]; then
	log "cargo build --release in $repo_root"
	(cd "$repo_root" && cargo build --release --quiet) || die "cargo build --release failed"
	hookctl="$repo_root/target/release/hookctl"
fi

# --------------------------------------------------------------------------- helpers
declare -A M=()  # measurement key -> seconds (medians) or a number
declare -A RC=() # sanity-run exit codes

stamp=$(date +%Y-%m-%d)
[[ -e $results/$stamp.md ]] && stamp=$(date +%Y-%m-%d-%H%M)
report="$results/$stamp.md"
raw="$results/$stamp"
mkdir -p "$raw"

# cmdline ARGS...: one string that hyperfine -N splits back into ARGS (shell-word quoting).
cmdline() {
	local out
	out=$(printf '%q ' "$@")
	printf '%s' "${out% }"
}

# hf KEY DIR [hyperfine args...]: hyperfine in DIR; JSON to $raw/KEY.json, median (s) to M[KEY].
hf() {
	local key=$1 dir=$2
	shift 2
	log "hyperfine: $key"
	(cd "$dir" && hyperfine --style basic --export-json "$raw/$key.json" "$@") >&2 || die "hyperfine failed for $key"
	M[$key]=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$raw/$key.json")
}

# peak_kb KEY DIR COLD CMD...: median max RSS (KB) of CMD in DIR over runs_mem runs; COLD=1 deletes
# the cache ($cache_dir) before each run.
peak_kb() {
	local key=$1 dir=$2 cold=$3 i vals=()
	shift 3
	for ((i = 0; i < runs_mem; i++)); do
		((cold == 0)) || rm -rf "$cache_dir"
		(cd "$dir" && /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1) || true
		vals+=("$(tail -n 1 "$tmp/rss")")
	done
	M[$key]=$(printf '%s\n' "${vals[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
}

# sanity KEY DIR CMD...: run CMD once in DIR, keep its exit code in RC[KEY]; 2 or more (usage or
# configuration error, crash) stops the benchmark, 1 (findings) makes hyperfine ignore the status.
sanity() {
	local key=$1 dir=$2 rc=0
	shift 2
	(cd "$dir" && "$@") >"$tmp/$key.out" 2>"$tmp/$key.err" || rc=$?
	RC[$key]=$rc
	if ((rc >= 2)); then
		head -20 "$tmp/$key.err" >&2
		die "'$*' exited $rc in $dir (its first lines of stderr are above)"
	fi
	((rc == 0)) || log "note: '$*' exited $rc in $dir (findings?); hyperfine runs it with -i"
}
ignore_flag() { # KEY -> sets ign=() or ign=(-i)
	ign=()
	[[ ${RC[$1]} == 0 ]] || ign=(-i)
}

fmt_t() { # seconds -> "12.3 ms" / "1.23 s"; empty -> "—"
	[[ -n ${1:-} ]] || {
		echo "—"
		return
	}
	awk -v s="$1" 'BEGIN { if (s < 0.001) printf "%.2f ms", s*1000; else if (s < 1) printf "%.1f ms", s*1000; else printf "%.2f s", s }'
}
ratio() { # a b -> "a/b ×", three significant digits below 10 (goals such as 1.1× or 1.2× need them)
	[[ -n ${1:-} && -n ${2:-} ]] || {
		echo "—"
		return
	}
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) { print "—"; exit } r = a/b
		if (r >= 10) printf "%.0f×", r; else if (r >= 1) printf "%.2f×", r; else if (r >= 0.1) printf "%.2f×", r; else printf "%.3f×", r }'
}
per_file_us() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.0f µs", s*1e6/n }'; }
mb() { # KB -> "N MB", or — when not measured
	[[ -n ${1:-} && $1 != - ]] || {
		echo "—"
		return
	}
	awk -v k="$1" 'BEGIN { printf "%.0f MB", k/1024 }'
}

# --------------------------------------------------------------------------- corpora
ensure_corpus() { # N -> path of a committed, packed gen.py corpus of N TS/JS files
	local n=$1 dir="$corpora/n$1"
	if [[ ! -f $corpora/n$n.ok ]]; then
		rm -rf "$dir" "$dir.partial"
		mkdir -p "$corpora"
		log "generating the $n-file corpus (once; cached in $dir)"
		python3 "$gen_py" --files "$n" --seed 1 --out "$dir.partial" --pack >"$tmp/gen-$n.log" 2>&1 ||
			{
				tail -5 "$tmp/gen-$n.log" >&2
				die "gen.py failed for --files $n"
			}
		mv "$dir.partial" "$dir"
		touch "$corpora/n$n.ok"
	fi
	git -C "$dir" reset --hard -q
	[[ -z $(git -C "$dir" status --porcelain) ]] || die "corpus $dir has untracked changes; delete it and $corpora/n$n.ok to regenerate"
	echo "$dir"
}

source_stats() { # DIR -> "files bytes" of tracked TS/JS sources
	python3 - "$1" <<'EOF'
import os, subprocess, sys
root = sys.argv[1]
ext = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True, capture_output=True).stdout.decode()
paths = [p for p in out.split("\0") if p.endswith(ext)]
print(len(paths), sum(os.path.getsize(os.path.join(root, p)) for p in paths))
EOF
}

# --------------------------------------------------------------------------- machine
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem_total=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
hookctl_version=$("$hookctl" --version 2>/dev/null || echo "? (--version failed)")
hookctl_rev=$(git -C "$repo_root" rev-parse --short HEAD)
[[ -z $(git -C "$repo_root" status --porcelain -- src Cargo.toml Cargo.lock) ]] || hookctl_rev+=" (+ uncommitted changes)"

# --------------------------------------------------------------------------- --speed
if ((speed)); then
	# shellcheck source=bench/speed-rows.sh
	source "$script_dir/speed-rows.sh"
	report_done=1
	exit 0
fi

# --------------------------------------------------------------------------- per size
for n in "${size_list[@]}"; do
	dir=$(ensure_corpus "$n")
	read -r files bytes < <(source_stats "$dir")
	M[files_$n]=$files
	M[bytes_$n]=$bytes
	cache_dir="$(git -C "$dir" rev-parse --path-format=absolute --git-common-dir)/hookctl"
	check=("$hookctl" check --all-findings --format json)
	cold_runs=$runs_cold pre_cold_runs=$runs_pre_cold
	if ((n >= 100000 && !quick)); then cold_runs=5 pre_cold_runs=5; fi

	# 1-2. full check, cold then warm. The sanity run also shows whether a cache appears.
	rm -rf "$cache_dir"
	sanity "check_$n" "$dir" "${check[@]}"
	cp "$tmp/check_$n.out" "$raw/check-n$n.json"
	M[cache_$n]=$([[ -e $cache_dir ]] && echo yes || echo no)
	ignore_flag "check_$n"
	hf "cold_$n" "$dir" -N "${ign[@]}" --runs "$cold_runs" --prepare "$(cmdline rm -rf "$cache_dir")" \
		-n "cold check ($n files)" "$(cmdline "${check[@]}")"
	hf "warm_$n" "$dir" -N "${ign[@]}" --warmup 1 --runs "$runs_warm" \
		-n "warm check ($n files)" "$(cmdline "${check[@]}")"

	# 5. peak memory, cold and warm (the first warm run fills the cache).
	log "peak memory ($n files)"
	peak_kb "rss_cold_$n" "$dir" 1 "${check[@]}"
	(cd "$dir" && "${check[@]}" >/dev/null 2>&1) || true
	peak_kb "rss_warm_$n" "$dir" 0 "${check[@]}"

	# 3. pre-commit with 10 staged files, warm and never scanned.
	dirty_corpus=$dir
	mapfile -t edited < <(python3 "$script_dir/stage-edits.py" "$dir" 10)
	((${#edited[@]} == 10)) || die "stage-edits.py edited ${#edited[@]} files, wanted 10"
	git -C "$dir" add -- "${edited[@]}"
	(cd "$dir" && "${check[@]}" >/dev/null 2>&1) || true # a warm cache: the full snapshot, staged edits included
	sanity "pre_$n" "$dir" "$hookctl" run pre-commit
	ignore_flag "pre_$n"
	hf "pre_warm_$n" "$dir" -N "${ign[@]}" --warmup 1 --runs "$runs_pre" \
		-n "pre-commit, 10 staged, warm ($n files)" "$(cmdline "$hookctl" run pre-commit)"
	hf "pre_cold_$n" "$dir" -N "${ign[@]}" --runs "$pre_cold_runs" --prepare "$(cmdline rm -rf "$cache_dir")" \
		-n "pre-commit, 10 staged, never scanned ($n files)" "$(cmdline "$hookctl" run pre-commit)"
	git -C "$dir" reset --hard -q
	dirty_corpus=
	[[ -z $(git -C "$dir" status --porcelain) ]] || die "corpus $dir is still modified after git reset --hard"

	# 6. TypeScript on the same imports.
	if [[ -z ${skipped[typescript]:-} ]]; then
		log "ts-resolve.mjs ($n files)"
		TS_MODULE=$ts_module node "$script_dir/ts-resolve.mjs" "$dir" >"$raw/ts-resolve-n$n.json" ||
			die "ts-resolve.mjs failed on $dir"
		TS_MODULE=$ts_module hf "ts_resolve_$n" "$dir" -N --runs "$runs_ts" \
			-n "ts.resolveModuleName, every import ($n files)" "$(cmdline node "$script_dir/ts-resolve.mjs" "$dir")"
	fi
	tsc_dir=$dir/apps/web
	[[ -f $tsc_dir/tsconfig.json ]] || tsc_dir=$dir
	M[tsc_dir_$n]=${tsc_dir#"$dir"/}
	[[ $tsc_dir != "$dir" ]] || M[tsc_dir_$n]=.
	# TypeScript 7 rejects `baseUrl` (TS5102) and would stop before checking anything: both
	# versions get the project's tsconfig.json without it (its `paths` are relative to the file).
	scratch_file=$tsc_dir/tsconfig.hookctl-bench.json
	python3 - "$tsc_dir/tsconfig.json" "$scratch_file" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config.get("compilerOptions", {}).pop("baseUrl", None)
json.dump(config, open(sys.argv[2], "w"), indent=2)
EOF
	for v in 5 7; do
		tsc_bin=$tsc5
		[[ $v == 7 ]] && tsc_bin=$tsc7
		if [[ ! -x $tsc_bin ]]; then
			skipped[tsc${v}_$n]="typescript@$v is not installed"
			continue
		fi
		# One probe run under a time limit decides whether to repeat it; tsc exits 2 on type
		# errors, expected here (no node_modules): only the time counts.
		log "tsc $v --noEmit -p ${M[tsc_dir_$n]} ($n files; limit ${tsc_limit}s)"
		rc=0
		(cd "$tsc_dir" && /usr/bin/time -f '%e %M' -o "$tmp/tsc-time" timeout "$tsc_limit" "$tsc_bin" --noEmit -p "${scratch_file##*/}" >"$tmp/tsc.out" 2>&1) || rc=$?
		if ((rc == 124)) || grep -q 'Command exited with non-zero status 124' "$tmp/tsc-time"; then
			skipped[tsc${v}_$n]="did not finish within ${tsc_limit}s"
			continue
		fi
		read -r secs kb < <(tail -n 1 "$tmp/tsc-time")
		M[tsc${v}_rss_$n]=$kb
		M[tsc${v}_errors_$n]=$(grep -c 'error TS' "$tmp/tsc.out" || true)
		if grep -q 'error TS5[0-9][0-9][0-9]' "$tmp/tsc.out"; then # a configuration error: nothing was checked
			skipped[tsc${v}_$n]="configuration error: $(grep -m1 'error TS5' "$tmp/tsc.out")"
			continue
		fi
		if ((quick)) || awk -v s="$secs" 'BEGIN { exit !(s > 120) }'; then
			M[tsc${v}_$n]=$secs
			M[tsc${v}_runs_$n]=1
		else
			hf "tsc${v}_$n" "$tsc_dir" -N -i --runs 3 -n "tsc $v --noEmit ($n files)" "$(cmdline "$tsc_bin" --noEmit -p "${scratch_file##*/}")"
			M[tsc${v}_runs_$n]=3
		fi
	done
	rm -f "$scratch_file"
	scratch_file=
done

# --------------------------------------------------------------------------- 4. no-op hooks
log "no-op hooks in a tiny repository"
tiny="$tmp/tiny"
git init -q "$tiny"
(
	cd "$tiny"
	git config user.name bench && git config user.email bench@example.invalid && git config commit.gpgsign false
	mkdir -p src
	printf '{ "name": "tiny", "private": true, "dependencies": {} }\n' >package.json
	printf '{ "compilerOptions": { "module": "ESNext", "moduleResolution": "Bundler", "strict": true } }\n' >tsconfig.json
	printf 'API_URL=\n' >.env.example
	printf "import { util } from './util';\nexport const url = process.env.API_URL ?? util;\n" >src/index.ts
	printf "export const util = 'x';\n" >src/util.ts
	git add -A && git commit -q -m tiny
)
cp -a "$tiny" "$tmp/tiny-none"
cp -a "$tiny" "$tmp/tiny-hookctl"
(cd "$tmp/tiny-hookctl" && "$hookctl" install --hooks pre-commit >/dev/null) || die "hookctl install failed in a tiny repo"
noop_tools=(hookctl)
# lefthook and prek get one job each that matches no staged file (`*.ts`): nothing to do. prek
# refuses a config without hooks ("No hooks found"), so both get the same shape.
if [[ -z ${skipped[lefthook]:-} ]]; then
	cp -a "$tiny" "$tmp/tiny-lefthook"
	(
		cd "$tmp/tiny-lefthook"
		printf 'pre-commit:\n  jobs:\n    - name: noop\n      run: "true"\n      glob: "*.ts"\n' >lefthook.yml
		git add lefthook.yml && git commit -q --no-verify -m lefthook
		"$lefthook_bin" install >/dev/null
	) || die "lefthook install failed in a tiny repo"
	noop_tools+=(lefthook)
fi
if [[ -z ${skipped[prek]:-} ]]; then
	cp -a "$tiny" "$tmp/tiny-prek"
	(
		cd "$tmp/tiny-prek"
		printf '%s\n' 'repos:' '  - repo: local' '    hooks:' '      - id: noop' '        name: noop' \
			'        entry: "true"' '        language: system' "        files: '\\.ts\$'" >.pre-commit-config.yaml
		git add .pre-commit-config.yaml && git commit -q --no-verify -m prek
		"$prek_bin" install >/dev/null
	) || die "prek install failed in a tiny repo"
	noop_tools+=(prek)
fi
# Each tool's own command for the hook, as its hook script runs it (and as a person types it).
declare -A direct=(
	[hookctl]="$(cmdline "$hookctl" run pre-commit)"
	[lefthook]="$(cmdline "$lefthook_bin" run pre-commit)"
	[prek]="$(cmdline "$prek_bin" run)"
)
declare -A direct_shown=([hookctl]="hookctl run pre-commit" [lefthook]="lefthook run pre-commit" [prek]="prek run")
for t in "${noop_tools[@]}"; do
	sanity "shim_$t" "$tmp/tiny-$t" ./.git/hooks/pre-commit
	[[ ${RC[shim_$t]} == 0 ]] || die "$t's pre-commit hook failed with nothing to do: $(head -3 "$tmp/shim_$t.err")"
	hf "shim_$t" "$tmp/tiny-$t" -N --warmup 3 --runs "$runs_noop" -n "$t: .git/hooks/pre-commit" ./.git/hooks/pre-commit
	hf "direct_$t" "$tmp/tiny-$t" -N --warmup 3 --runs "$runs_noop" -n "$t: ${direct_shown[$t]}" "${direct[$t]}"
done
for t in none "${noop_tools[@]}"; do
	hf "commit_$t" "$tmp/tiny-$t" -N --warmup 3 --runs "$runs_commit" \
		-n "git commit --allow-empty ($t)" "git commit --allow-empty -q -m bench"
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
git_version=$(git --version)
node_version=$(node --version)
hf_version=$(hyperfine --version)
lefthook_version="not installed" prek_version="prek: not installed"
[[ -n ${skipped[lefthook]:-} ]] || lefthook_version=$("$lefthook_bin" version 2>/dev/null || echo "?")
[[ -n ${skipped[prek]:-} ]] || prek_version=$("$prek_bin" --version 2>/dev/null || echo "prek ?")
ts5_version=$(node -p 'require(process.argv[1] + "/package.json").version' "$ts_module" 2>/dev/null || echo "not installed")
ts7_version=$(node -p 'require(process.argv[1] + "/package.json").version' "$npm_prefix/node_modules/typescript7" 2>/dev/null || echo "not installed")

# --------------------------------------------------------------------------- report
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null || true; }
{
	echo "# hookctl benchmark — $stamp"
	echo
	[[ -z $note ]] || printf '> **Note:** %s\n\n' "$note"
	((quick == 0)) || printf '> `--quick`: few runs per measurement (a smoke run, not numbers to quote).\n\n'
	echo "- hookctl: \`$hookctl_version\`, commit $hookctl_rev, binary \`${hookctl#"$repo_root"/}\`"
	echo "- machine: $(nproc) CPUs ($cpu), $mem_total; load average $load_before at start, $load_after at the end"
	echo "- started $started; sizes $sizes; $hf_version, $git_version, node $node_version"
	echo "- compared: lefthook $lefthook_version, $prek_version, TypeScript $ts5_version (compiler API, tsc) and $ts7_version (native tsc)"
	echo "- all times are hyperfine medians of one run of this script; raw JSON in \`results/$stamp/\`"
	echo
	echo "## Scaling: full check (\`hookctl check --all-findings --format json\`)"
	echo
	echo "| TS/JS files | source | cold | warm | cold per file | warm per file | cold MB/s | cold/warm | peak RSS cold | peak RSS warm | cache dir after a run |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for n in "${size_list[@]}"; do
		f=${M[files_$n]} b=${M[bytes_$n]}
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$f" \
			"$(awk -v b="$b" 'BEGIN { printf "%.1f MB", b/1e6 }')" \
			"$(fmt_t "${M[cold_$n]}")" "$(fmt_t "${M[warm_$n]}")" \
			"$(per_file_us "${M[cold_$n]}" "$f")" "$(per_file_us "${M[warm_$n]}" "$f")" \
			"$(awk -v b="$b" -v s="${M[cold_$n]}" 'BEGIN { printf "%.1f", b/1e6/s }')" \
			"$(ratio "${M[cold_$n]}" "${M[warm_$n]}")" \
			"$(mb "${M[rss_cold_$n]}")" "$(mb "${M[rss_warm_$n]}")" "\`.git/hookctl\` ${M[cache_$n]}"
	done
	echo
	echo "Cold: \`rm -rf <git common dir>/hookctl\` before each run (hyperfine \`--prepare\`). Warm: the cache"
	echo "left by the previous run, one warm-up run. Peak RSS: GNU time \`%M\`, median of $runs_mem run(s)."
	echo "If \`.git/hookctl\` says \`no\`, the binary measured keeps no cache and warm equals cold."
	for n in "${size_list[@]}"; do
		[[ ${RC[check_$n]:-0} == 0 ]] || printf '\n**The check exited %s on the %s-file corpus** (findings on a corpus that should have none?): see `results/%s/check-n%s.json`.\n' "${RC[check_$n]}" "$n" "$stamp" "$n"
	done
	echo
	echo "## Pre-commit with 10 staged files (\`hookctl run pre-commit\`)"
	echo
	echo "| TS/JS files | warm cache | never scanned | never scanned / warm | warm / full warm check |"
	echo "|---:|---:|---:|---:|---:|"
	for n in "${size_list[@]}"; do
		printf '| %s | %s | %s | %s | %s |\n' "${M[files_$n]}" "$(fmt_t "${M[pre_warm_$n]}")" "$(fmt_t "${M[pre_cold_$n]}")" \
			"$(ratio "${M[pre_cold_$n]}" "${M[pre_warm_$n]}")" "$(ratio "${M[pre_warm_$n]}" "${M[warm_$n]}")"
	done
	echo
	echo "10 tracked \`.ts\` files of \`apps/web/src\` (evenly spaced in \`git ls-files\`) each get one line appended"
	echo "by \`bench/stage-edits.py\`: a new relative import of another tracked file and a \`process.env\` read of a"
	echo "name declared in \`.env.example\`; \`git add\`, then hookctl is run directly as the hook would run it"
	echo "(no \`git commit\`). Warm: a full check first fills the cache, then one warm-up run. Never scanned:"
	echo "\`rm -rf .git/hookctl\` before each run. The corpus is \`git reset --hard\` afterwards."
	for n in "${size_list[@]}"; do
		[[ ${RC[pre_$n]:-0} == 0 ]] || printf '\n**`hookctl run pre-commit` exited %s on the %s-file corpus** (it should pass).\n' "${RC[pre_$n]}" "$n"
	done
	echo
	echo "## No-op pre-commit hook (tiny repository, nothing to do)"
	echo
	echo "| tool | \`.git/hooks/pre-commit\` | direct command | command | vs hookctl (hook) |"
	echo "|---|---:|---:|---|---:|"
	for t in "${noop_tools[@]}"; do
		printf '| %s | %s | %s | `%s` | %s |\n' "$t" "$(fmt_t "${M[shim_$t]}")" "$(fmt_t "${M[direct_$t]}")" \
			"${direct_shown[$t]}" "$(ratio "${M[shim_$t]}" "${M[shim_hookctl]}")"
	done
	echo
	echo "| \`git commit --allow-empty -q\` with | median | hook overhead |"
	echo "|---|---:|---:|"
	printf '| no hook | %s | — |\n' "$(fmt_t "${M[commit_none]}")"
	for t in "${noop_tools[@]}"; do
		printf '| %s | %s | %s |\n' "$t" "$(fmt_t "${M[commit_$t]}")" \
			"$(fmt_t "$(awk -v a="${M[commit_$t]}" -v b="${M[commit_none]}" 'BEGIN { print a-b }')")"
	done
	echo
	echo "A fresh repository (package.json, tsconfig.json, .env.example, two .ts files; one commit), one copy"
	echo "per tool. hookctl: \`hookctl install --hooks pre-commit\` (its shim execs \`hookctl run pre-commit\`)."
	echo "lefthook: \`lefthook.yml\` with one pre-commit job \`run: \"true\"\`, \`glob: \"*.ts\"\`, then \`lefthook install\`;"
	echo "its hook script looks for \`lefthook\` on PATH, then runs the native binary by the absolute path"
	echo "recorded at install (\`lefthook run pre-commit\`). prek: \`.pre-commit-config.yaml\` with one local"
	echo "\`language: system\` hook \`entry: \"true\"\`, \`files: '\\.ts\$'\` (prek refuses a config with no hooks),"
	echo "then \`prek install\`; its hook execs \`prek hook-impl --hook-type=pre-commit\`. Nothing is staged, so"
	echo "every tool has nothing to run. hyperfine \`-N\` (no shell), $runs_noop runs, 3 warm-ups; the commit rows"
	echo "$runs_commit runs each."
	echo
	echo "## TypeScript on the same imports"
	echo
	echo "| TS/JS files | imports | resolved by TS | ts-resolve.mjs (whole process) | of which extract | of which resolve | vs hookctl cold | vs hookctl warm |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in "${size_list[@]}"; do
		j=$raw/ts-resolve-n$n.json
		if [[ -f $j ]]; then
			printf '| %s | %s | %s | %s | %s ms | %s ms | %s | %s |\n' "${M[files_$n]}" "$(json_field "$j" imports)" \
				"$(json_field "$j" resolved)" "$(fmt_t "${M[ts_resolve_$n]}")" "$(json_field "$j" extract_ms)" \
				"$(json_field "$j" resolve_ms)" "$(ratio "${M[ts_resolve_$n]}" "${M[cold_$n]}")" \
				"$(ratio "${M[ts_resolve_$n]}" "${M[warm_$n]}")"
		else
			printf '| %s | — | — | skipped: %s | | | | |\n' "${M[files_$n]}" "${skipped[typescript]:-?}"
		fi
	done
	echo
	echo "\`node bench/ts-resolve.mjs <corpus>\` (TypeScript $ts5_version's compiler API): lists the index's TS/JS"
	echo "files, reads them from disk, lists imports with \`ts.preProcessFile\`, resolves each with"
	echo "\`ts.resolveModuleName\` under the nearest tsconfig's options and a per-tsconfig resolution cache;"
	echo "workspace packages are linked as a package manager would. There is no \`node_modules\`: npm"
	echo "packages and assets (.css/.svg) do not resolve in TS, hence resolved < imports. The extract/resolve"
	echo "columns are the script's own timers on one run; the whole-process median includes node start-up and"
	echo "loading TypeScript. \"vs hookctl\": how many times longer than hookctl's full check, which does more"
	echo "(parses every file, reads blobs from git, runs every rule)."
	echo
	echo "| TS/JS files | tsc | project | time | runs | peak RSS | type errors (expected) | vs hookctl cold |"
	echo "|---:|---|---|---:|---:|---:|---:|---:|"
	for n in "${size_list[@]}"; do
		for v in 5 7; do
			ver=$ts5_version
			[[ $v == 7 ]] && ver=$ts7_version
			if [[ -n ${M[tsc${v}_$n]:-} ]]; then
				printf '| %s | %s | `%s` | %s | %s | %s | %s | %s |\n' "${M[files_$n]}" "$ver" "${M[tsc_dir_$n]}" \
					"$(fmt_t "${M[tsc${v}_$n]}")" "${M[tsc${v}_runs_$n]}" "$(mb "${M[tsc${v}_rss_$n]}")" \
					"${M[tsc${v}_errors_$n]}" "$(ratio "${M[tsc${v}_$n]}" "${M[cold_$n]}")"
			else
				printf '| %s | %s | `%s` | skipped: %s | | | | |\n' "${M[files_$n]}" "$ver" "${M[tsc_dir_$n]:-?}" "${skipped[tsc${v}_$n]:-?}"
			fi
		done
	done
	echo
	echo "\`tsc --noEmit -p <project>\` in the corpus, TypeScript 5 (JavaScript) and 7 (native), with the project's"
	echo "tsconfig.json minus \`baseUrl\` (TypeScript 7 refuses it: TS5102), written beside it for the run and then"
	echo "deleted. Type errors are expected (no \`node_modules\`: TS2307, implicit any); only the time counts. One probe run under a ${tsc_limit}s limit; repeated"
	echo "3 times (hyperfine) when it took under 2 minutes and the run is not \`--quick\`."
	if ((${#skipped[@]})); then
		echo
		echo "## Not measured"
		echo
		for k in "${!skipped[@]}"; do echo "- $k: ${skipped[$k]}"; done
	fi
	echo
	echo "## Exactly what ran"
	echo
	echo "Corpora: \`python3 ../shared/gen-corpus/gen.py --files N --seed 1 --out bench/.corpora/nN --pack\`"
	echo "(generated once, reused). In each corpus, with \`C=<git common dir>/hookctl\`:"
	echo
	echo '```sh'
	echo "hyperfine -N --runs $runs_cold --prepare 'rm -rf \$C' 'hookctl check --all-findings --format json'   # cold"
	echo "hyperfine -N --warmup 1 --runs $runs_warm 'hookctl check --all-findings --format json'            # warm"
	echo "/usr/bin/time -f %M hookctl check --all-findings --format json                            # peak RSS"
	echo "python3 bench/stage-edits.py . 10 | xargs git add --"
	echo "hyperfine -N --warmup 1 --runs $runs_pre 'hookctl run pre-commit'                                   # warm"
	echo "hyperfine -N --runs $runs_pre_cold --prepare 'rm -rf \$C' 'hookctl run pre-commit'                   # never scanned"
	echo "git reset --hard -q"
	echo "hyperfine -N --runs $runs_ts 'node bench/ts-resolve.mjs .'"
	echo "(cd apps/web && tsc --noEmit -p tsconfig.hookctl-bench.json)   # tsconfig.json minus baseUrl"
	echo '```'
	echo
	echo "(cold runs: 5 at 100k files; \`--quick\` lowers every count.)"
} >"$report"

report_done=1
log "report: $report"
log "raw:    $raw/"
cat "$report"
