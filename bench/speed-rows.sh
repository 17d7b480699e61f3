# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154,SC2034
# bench/speed-rows.sh — the hook-path rows of issue 22, sourced by `bench/run.sh --speed` (it
# defines hf, peak_kb, ensure_corpus, cmdline, fmt_t, ratio, mb, M, tmp, raw, report, ...).
#
# Every row measures HOOKCTL_BEFORE_BIN (when set) and HOOKCTL_BIN in the same hyperfine run,
# one command after the other, so "before" and "after" see the same machine.

bins=() labels=()
if [[ -n ${HOOKCTL_BEFORE_BIN:-} ]]; then
	before_bin=$HOOKCTL_BEFORE_BIN
	[[ $before_bin == /* ]] || before_bin="$PWD/$before_bin"
	[[ -x $before_bin ]] || die "HOOKCTL_BEFORE_BIN=$HOOKCTL_BEFORE_BIN is not executable"
	bins+=("$before_bin") labels+=(before)
fi
bins+=("$hookctl") labels+=(after)

# hfm KEY DIR [hyperfine args...]: like hf, for several commands: M[KEY.i] is command i's median.
hfm() {
	local key=$1 dir=$2 i
	shift 2
	log "hyperfine: $key"
	(cd "$dir" && hyperfine --style basic --export-json "$raw/$key.json" "$@") >&2 || die "hyperfine failed for $key"
	for ((i = 0; i < 6; i++)); do
		M[$key.$i]=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["results"]
i = int(sys.argv[2])
print(r[i]["median"] if i < len(r) else "")' "$raw/$key.json" "$i")
		# CPU: mean user + system seconds (the machine is shared: CPU is the fairer judge).
		CPU[$key.$i]=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["results"]
i = int(sys.argv[2])
print(r[i]["user"] + r[i]["system"] if i < len(r) else "")' "$raw/$key.json" "$i")
	done
}
declare -A CPU=()

# warm_phases BIN DIR OUT: one `HOOKCTL_TIMINGS=1 check --all-findings`, its phases.
warm_phases() {
	(cd "$2" && HOOKCTL_TIMINGS=1 "$1" check --all-findings --format json 2>&1 >/dev/null | grep 'hookctl: timing:' >"$3") || true
}

# The warm floor: the same check with every group but `imports` skipped — the index read, the
# facts cache and resolution (clean set), what any full check must do.
floor_skip=env,secrets,deps,files,git

# phases BIN DIR OUT: one `HOOKCTL_TIMINGS=1 run pre-commit`, each phase's own duration (the
# timings are cumulative from the start for the first three, per phase for the rest).
phases() {
	(cd "$2" && HOOKCTL_TIMINGS=1 "$1" run pre-commit 2>&1 >/dev/null | grep 'hookctl: timing:' >"$3") || true
}

runs_speed=${HOOKCTL_SPEED_RUNS:-$runs_warm}
# HOOKCTL_SPEED_ROWS: all (default), pre-commit (only the pre-commit rows: the yardstick, phases,
# peak memory) or cold (only the cold rows).
rows=${HOOKCTL_SPEED_ROWS:-all}
[[ $rows == all || $rows == pre-commit || $rows == cold ]] || die "HOOKCTL_SPEED_ROWS=$rows: want all, pre-commit or cold"
only_pre=0 only_cold=0
[[ $rows != pre-commit ]] || only_pre=1
[[ $rows != cold ]] || only_cold=1
declare -a speed_sizes=("${size_list[@]}")

# The cold rows. Below 100k files: the cold full check (cache dir deleted before each run) with
# every binary in one hyperfine run, beside the parse floor (`cargo bench --bench parse_floor`:
# tree-sitter alone parsing every TS/JS blob of the index on all cores, blobs read beforehand;
# its median round). Every size: one cold run per binary under GNU time (user, system, wall,
# peak RSS): the 100k row's peak memory.
runs_cold_speed=${HOOKCTL_SPEED_COLD_RUNS:-3}
# cold_time KEY DIR CMD...: one cold run under GNU time: CT[KEY] = "user system wall maxrss_kb".
declare -A CT=()
cold_time() {
	local key=$1 dir=$2
	shift 2
	rm -rf "$cache_dir"
	(cd "$dir" && /usr/bin/time -f '%U %S %e %M' -o "$tmp/ct" "$@" >/dev/null 2>&1) || true
	CT[$key]=$(tail -n 1 "$tmp/ct")
}
# parse_floor KEY DIR: the parse floor's median round: PF[KEY] = "wall cpu" with tree-sitter on
# the C library's malloc, PFM[KEY] the same with tree-sitter on mimalloc, the allocator hookctl
# gives it (src/alloc.rs): the floor of the binary's own parse; PFT[KEY] the parse of only the
# text a check parses (its prefixes, `scan::parse_extent`), on mimalloc.
declare -A PF=() PFM=() PFT=()
median_round() { # FILE [WHAT] -> "wall cpu" of the median round's WHAT (default: "parse only")
	python3 -c 'import re,sys
rounds = sorted((float(w), float(c)) for w, c in re.findall(re.escape(sys.argv[2]) + r" ([0-9.]+) s wall, ([0-9.]+) s CPU", open(sys.argv[1]).read()))
print(*rounds[len(rounds) // 2] if rounds else "")' "$1" "${2:-parse only}"
}
parse_floor() {
	log "cargo bench --bench parse_floor on $2 (malloc, then mimalloc)"
	(cd "$repo_root" && HOOKCTL_BENCH_REPO=$2 cargo bench --quiet --bench parse_floor) >"$raw/parse-floor-$1.txt" 2>&1 ||
		die "cargo bench --bench parse_floor failed (see $raw/parse-floor-$1.txt)"
	(cd "$repo_root" && HOOKCTL_BENCH_ALLOC=mimalloc HOOKCTL_BENCH_REPO=$2 cargo bench --quiet --bench parse_floor) \
		>"$raw/parse-floor-$1-mimalloc.txt" 2>&1 ||
		die "cargo bench --bench parse_floor failed (see $raw/parse-floor-$1-mimalloc.txt)"
	PF[$1]=$(median_round "$raw/parse-floor-$1.txt")
	PFM[$1]=$(median_round "$raw/parse-floor-$1-mimalloc.txt")
	# The parse of only the text a check parses (prefixes), tree-sitter on mimalloc as in hookctl.
	PFT[$1]=$(median_round "$raw/parse-floor-$1-mimalloc.txt" "parse of the text a check parses")
}
cold_rows() { # N DIR
	local n=$1 dir=$2 i cold_cmds=()
	if ((n < 100000)); then
		for i in "${!bins[@]}"; do
			cold_cmds+=(-n "${labels[$i]}: cold check ($n)" "$(cmdline "${bins[$i]}" check --all-findings --format json)")
		done
		hfm "s_cold_$n" "$dir" -N -i --runs "$runs_cold_speed" --prepare "$(cmdline rm -rf "$cache_dir")" "${cold_cmds[@]}"
		parse_floor "$n" "$dir"
	fi
	for i in "${!bins[@]}"; do
		cold_time "s_cold_time_$n.$i" "$dir" "${bins[$i]}" check --all-findings --format json
	done
}

for n in "${speed_sizes[@]}"; do
	dir=$(ensure_corpus "$n")
	cache_dir="$(git -C "$dir" rev-parse --path-format=absolute --git-common-dir)/hookctl"
	((only_pre)) || cold_rows "$n" "$dir"
	((!only_cold)) || continue
	check_cmds=()
	for i in "${!bins[@]}"; do
		((!only_pre)) || break
		check_cmds+=(-n "${labels[$i]}: warm check ($n)" "$(cmdline "${bins[$i]}" check --all-findings --format json)")
		(cd "$dir" && "${bins[$i]}" check --all-findings --format json >/dev/null 2>&1) || true
	done
	if ((!only_pre)); then
		hfm "s_warm_$n" "$dir" -N -i --warmup 1 --runs "$runs_speed" "${check_cmds[@]}"
		for i in "${!bins[@]}"; do
			(cd "$dir" && "${bins[$i]}" check --all-findings --format json >/dev/null 2>&1) || true
			peak_kb "s_rss_warm_$n.$i" "$dir" 0 "${bins[$i]}" check --all-findings --format json
			warm_phases "${bins[$i]}" "$dir" "$raw/warm-phases-$n-${labels[$i]}.txt"
		done
		floor_cmds=()
		for i in "${!bins[@]}"; do
			floor_cmds+=(-n "${labels[$i]}: warm floor, imports only ($n)" "$(cmdline env "HOOKCTL_SKIP=$floor_skip" "${bins[$i]}" check --all-findings --format json)")
		done
		hfm "s_floor_$n" "$dir" -N -i --warmup 1 --runs "$runs_speed" "${floor_cmds[@]}"
	fi

	# Pre-commit, 10 staged files, with `git diff --cached --name-only` in the same run.
	dirty_corpus=$dir
	mapfile -t edited < <(python3 "$script_dir/stage-edits.py" "$dir" 10)
	git -C "$dir" add -- "${edited[@]}"
	pre_cmds=()
	for i in "${!bins[@]}"; do
		(cd "$dir" && "${bins[$i]}" check --all-findings --format json >/dev/null 2>&1) || true
		pre_cmds+=(-n "${labels[$i]}: pre-commit ($n)" "$(cmdline "${bins[$i]}" run pre-commit)")
	done
	pre_cmds+=(-n "git diff --cached --name-only ($n)" "git diff --cached --name-only")
	hfm "s_pre_$n" "$dir" -N -i --warmup 2 --runs "$runs_speed" "${pre_cmds[@]}"
	for i in "${!bins[@]}"; do
		phases "${bins[$i]}" "$dir" "$raw/phases-$n-${labels[$i]}.txt"
		peak_kb "s_rss_pre_$n.$i" "$dir" 0 "${bins[$i]}" run pre-commit
	done
	git -C "$dir" reset --hard -q
	dirty_corpus=
	((!only_pre)) || continue

	# Two worktrees on different branches sharing one cache, checked in turn. The other branch
	# renames one file: another path set, another resolution context.
	other="$tmp/other-$n"
	git -C "$dir" worktree add -q -b "bench-other-$n" "$other" HEAD
	first=$(git -C "$other" ls-files 'apps/web/src/*.ts' | awk 'NR == 1')
	git -C "$other" mv "$first" "${first%.ts}-moved.ts"
	git -C "$other" -c user.name=bench -c user.email=bench@example.invalid commit -q --no-verify -m other
	alt_cmds=()
	for i in "${!bins[@]}"; do
		b=$(printf '%q' "${bins[$i]}")
		alt_cmds+=(-n "${labels[$i]}: two worktrees in turn ($n)"
			"cd $(printf '%q' "$dir") && $b check --all-findings --format json >/dev/null; cd $(printf '%q' "$other") && $b check --all-findings --format json >/dev/null; true")
	done
	hfm "s_alt_$n" "$dir" -i --warmup 2 --runs "$runs_speed" "${alt_cmds[@]}"
	git -C "$dir" worktree remove --force "$other"
	git -C "$dir" branch -q -D "bench-other-$n"
done

# A repository with 60 MB of committed binaries (60 files of 1 MB of random bytes, with a NUL)
# beside the same repository without them: a clone of the smallest corpus.
small=${speed_sizes[0]}
if ((!only_pre && !only_cold)); then
plain="$tmp/bin-plain" heavy="$tmp/bin-heavy"
git clone -q --no-hardlinks "$(ensure_corpus "$small")" "$plain"
git clone -q --no-hardlinks "$plain" "$heavy"
mkdir -p "$heavy/assets/blobs"
for ((i = 0; i < 60; i++)); do
	python3 -c 'import os,sys; sys.stdout.buffer.write(b"\0" + os.urandom(1 << 20))' >"$heavy/assets/blobs/b$i.png"
done
git -C "$heavy" add -A
git -C "$heavy" -c user.name=bench -c user.email=bench@example.invalid commit -q --no-verify -m blobs
bin_cmds=()
for i in "${!bins[@]}"; do
	for d in plain heavy; do
		(cd "$tmp/bin-$d" && "${bins[$i]}" check --all-findings --format json >/dev/null 2>&1) || true
	done
	bin_cmds+=(-n "${labels[$i]}: warm check, 60 MB binaries" "$(cmdline "${bins[$i]}" check --all-findings --format json)")
done
hfm "s_bin_heavy" "$heavy" -N -i --warmup 1 --runs "$runs_speed" "${bin_cmds[@]}"
bin_cmds=()
for i in "${!bins[@]}"; do
	bin_cmds+=(-n "${labels[$i]}: warm check, no binaries" "$(cmdline "${bins[$i]}" check --all-findings --format json)")
done
hfm "s_bin_plain" "$plain" -N -i --warmup 1 --runs "$runs_speed" "${bin_cmds[@]}"
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "# hookctl hook-path benchmark (\`bench/run.sh --speed\`) — $stamp"
	echo
	[[ -z $note ]] || printf '> **Note:** %s\n\n' "$note"
	echo "- hookctl: \`$hookctl_version\`, commit $hookctl_rev; before: \`${HOOKCTL_BEFORE_BIN:-none}\`"
	echo "- machine: $(nproc) CPUs ($cpu), $mem_total; load average $load_before at start, $load_after at the end"
	echo "- hyperfine medians; each row's commands in one hyperfine run; raw JSON in \`results/$stamp/\`"
	echo
	echo "- the machine is shared (several sessions building and testing on its $(nproc) CPUs): cells are"
	echo "  wall median / CPU (user + system, mean); ratios are of wall medians, CPU ratios are below"
	echo
	echo "| row | files | $(printf '%s | ' "${labels[@]}")yardstick | after / yardstick |"
	echo "|---|---:|$(printf -- '---:|%.0s' "${labels[@]}")---:|---:|"
	last=$((${#bins[@]} - 1))
	row() { # NAME N KEY YARDSTICK-SECONDS
		local cells=() i
		for i in "${!bins[@]}"; do cells+=("$(fmt_t "${M[$3.$i]}") / $(fmt_t "${CPU[$3.$i]}")"); done
		printf '| %s | %s | %s%s | %s |\n' "$1" "$2" "$(printf '%s | ' "${cells[@]}")" \
			"$(fmt_t "${4:-}")" "$(ratio "${M[$3.$last]}" "${4:-}")"
	}
	for n in "${speed_sizes[@]}"; do
		((only_pre)) || ((n >= 100000)) || {
			floor_wall=${PF[$n]%% *} floor_cpu=${PF[$n]##* }
			row "cold full check (yardstick: the parse floor, wall)" "$n" "s_cold_$n" "$floor_wall"
			cpu_cells=()
			for i in "${!bins[@]}"; do cpu_cells+=("$(fmt_t "${CPU[s_cold_$n.$i]}")"); done
			printf '| %s | %s | %s%s | %s |\n' "(cold full check: CPU, user + system, mean; yardstick: the parse floor's CPU)" "$n" \
				"$(printf '%s | ' "${cpu_cells[@]}")" "$(fmt_t "$floor_cpu")" "$(ratio "${CPU[s_cold_$n.$last]}" "$floor_cpu")"
			floor_cpu=${PFM[$n]##* }
			printf '| %s | %s | %s%s | %s |\n' "(the same; yardstick: the parse floor's CPU with tree-sitter on mimalloc, as in hookctl)" "$n" \
				"$(printf '%s | ' "${cpu_cells[@]}")" "$(fmt_t "$floor_cpu")" "$(ratio "${CPU[s_cold_$n.$last]}" "$floor_cpu")"
			floor_cpu=${PFT[$n]##* }
			printf '| %s | %s | %s%s | %s |\n' "(the same; yardstick: the CPU of parsing only the text the check parses, its prefixes, on mimalloc)" "$n" \
				"$(printf '%s | ' "${cpu_cells[@]}")" "$(fmt_t "$floor_cpu")" "$(ratio "${CPU[s_cold_$n.$last]}" "$floor_cpu")"
		}
		((!only_cold)) || continue
		row "pre-commit, 10 staged (yardstick: \`git diff --cached --name-only\`)" "$n" "s_pre_$n" "${M[s_pre_$n.${#bins[@]}]}"
		cpu_cells=()
		for i in "${!bins[@]}"; do cpu_cells+=("$(fmt_t "${CPU[s_pre_$n.$i]}")"); done
		printf '| %s | %s | %s%s | %s |\n' "(pre-commit, 10 staged: CPU, user + system, mean)" "$n" "$(printf '%s | ' "${cpu_cells[@]}")" \
			"$(fmt_t "${CPU[s_pre_$n.${#bins[@]}]}")" "$(ratio "${CPU[s_pre_$n.$last]}" "${CPU[s_pre_$n.${#bins[@]}]}")"
		((!only_pre)) || continue
		row "warm full check (yardstick: the warm floor below)" "$n" "s_warm_$n" "${M[s_floor_$n.$last]}"
		row "warm floor: imports only (\`HOOKCTL_SKIP=$floor_skip\`)" "$n" "s_floor_$n" ""
		echo "| (warm full check / floor, CPU) | $n | $(printf '| %.0s' "${labels[@]:1}")$(fmt_t "${CPU[s_warm_$n.$last]}") | $(fmt_t "${CPU[s_floor_$n.$last]}") | $(ratio "${CPU[s_warm_$n.$last]}" "${CPU[s_floor_$n.$last]}") |"
		alt_half=$(awk -v a="${M[s_alt_$n.$last]}" 'BEGIN { print a/2 }')
		row "two worktrees in turn, the pair (yardstick: one warm full check)" "$n" "s_alt_$n" "${M[s_warm_$n.$last]}"
		echo "| (two worktrees, after: per check) | $n | $(printf '| %.0s' "${labels[@]:1}")$(fmt_t "$alt_half") | $(fmt_t "${M[s_warm_$n.$last]}") | $(ratio "$alt_half" "${M[s_warm_$n.$last]}") |"
	done
	if ((!only_pre && !only_cold)); then
		row "warm full check, 60 MB of binaries (yardstick: the same repo without)" "$small" "s_bin_heavy" "${M[s_bin_plain.$last]}"
		row "warm full check, no binaries" "$small" "s_bin_plain" ""
	fi
	echo
	echo "Two worktrees: one hyperfine command checks the corpus, then a linked worktree of it on a"
	echo "branch that renames one file (another path set: another resolution context), sharing one"
	echo "cache; the row is the pair, the line below it half of it against one warm check."
	echo
	echo "| peak RSS (GNU time %M) | files | $(printf '%s | ' "${labels[@]}")"
	echo "|---|---:|$(printf -- '---:|%.0s' "${labels[@]}")"
	for n in "${speed_sizes[@]}"; do
		cells=() cells2=()
		for i in "${!bins[@]}"; do
			cells+=("$(mb "${M[s_rss_warm_$n.$i]:-}")") cells2+=("$(mb "${M[s_rss_pre_$n.$i]:-}")")
		done
		if ((!only_pre)); then
			cells3=()
			for i in "${!bins[@]}"; do
				read -r _ _ _ kb <<<"${CT[s_cold_time_$n.$i]:-- - - -}"
				cells3+=("$(mb "$kb")")
			done
			echo "| cold full check | $n | $(printf '%s | ' "${cells3[@]}")"
		fi
		((!only_cold)) || continue
		echo "| warm full check | $n | $(printf '%s | ' "${cells[@]}")"
		echo "| pre-commit, 10 staged | $n | $(printf '%s | ' "${cells2[@]}")"
	done
	if ((!only_pre)); then
		echo
		echo "## Cold full check, one run per binary under GNU time (cache dir deleted first)"
		echo
		echo "| binary | files | user + system | wall | peak RSS |"
		echo "|---|---:|---:|---:|---:|"
		for n in "${speed_sizes[@]}"; do
			for i in "${!bins[@]}"; do
				read -r u s e kb <<<"${CT[s_cold_time_$n.$i]:-- - - -}"
				echo "| ${labels[$i]} | $n | $(fmt_t "$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')") | $(fmt_t "$e") | $(mb "$kb") |"
			done
		done
		echo
		echo "The parse floor (\`HOOKCTL_BENCH_REPO=<corpus> cargo bench --bench parse_floor\`, median of its 3 rounds):"
		echo "wall and CPU seconds per size below 100k files: $(for n in "${!PF[@]}"; do printf '%s files: %s; ' "$n" "${PF[$n]}"; done)"
		echo "with tree-sitter on mimalloc (\`HOOKCTL_BENCH_ALLOC=mimalloc\`): $(for n in "${!PFM[@]}"; do printf '%s files: %s; ' "$n" "${PFM[$n]}"; done)"
		echo "parsing only the text a check parses (its prefixes, \`scan::parse_extent\`), on mimalloc: $(for n in "${!PFT[@]}"; do printf '%s files: %s; ' "$n" "${PFT[$n]}"; done)"
	fi
	((!only_cold)) || {
		echo
		echo "(HOOKCTL_SPEED_ROWS=cold: only the cold rows were measured.)"
	}
	echo
	((!only_cold)) && echo "## Warm full check phases (\`HOOKCTL_TIMINGS=1 hookctl check --all-findings\`, one run each)"
	((only_pre)) && echo && echo "(not measured: HOOKCTL_SPEED_ROWS=pre-commit)"
	for n in "${speed_sizes[@]}"; do
		((!only_pre && !only_cold)) || break
		for l in "${labels[@]}"; do
			echo
			echo "$l, $n files:"
			echo
			echo '```'
			sed 's/^hookctl: timing: //' "$raw/warm-phases-$n-$l.txt"
			echo '```'
		done
	done
	echo
	((!only_cold)) && echo "## Pre-commit phases (\`HOOKCTL_TIMINGS=1 hookctl run pre-commit\`, one run each)"
	for n in "${speed_sizes[@]}"; do
		((!only_cold)) || break
		for l in "${labels[@]}"; do
			echo
			echo "$l, $n files:"
			echo
			echo '```'
			sed 's/^hookctl: timing: //' "$raw/phases-$n-$l.txt"
			echo '```'
		done
	done
	echo
	echo "(\"snapshot\", \"baseline snapshot\" and \"plan\" are times since the start; the other phases their own.)"
} >"$report"
log "report: $report"
cat "$report"
