#!/usr/bin/env bash
# Fuzz hookctl's parsers of untrusted input for a bounded time each (not part of CI).
#
#   fuzz/run.sh                 # every target, 60 s each
#   FUZZ_SECONDS=600 fuzz/run.sh dotenv extract
#   FUZZ_RELEASE=1 fuzz/run.sh  # optimized build: slower to build, ~10x more executions
#
# Targets: css (the stylesheet tokenizer, every dialect, whole files and ranges), dotenv (the
# dotenv reader and the raw-line secret scan), extract (the import/env
# extractor: random bytes and libFuzzer mutations of the repository's real TypeScript),
# jsonc (the tsconfig/package.json reader), substitute (the jobs' `{files}`/`{N}` substitution:
# a shell splits exactly the intended words), lockfile (the package-lock.json, pnpm-lock.yaml
# and yarn.lock readers, seeded with the real lockfiles of fixtures/lockfiles), sfc (the block
# splitter of .vue/.svelte/.astro/.mdx files: linear, any input times out after FUZZ_TIMEOUT
# seconds, default 10), secret_tokenizer (a key planted in random bytes is always found and
# masked). Needs cargo-fuzz
# (`cargo install cargo-fuzz`); libFuzzer wants nightly features, which RUSTC_BOOTSTRAP=1
# unlocks on the stable toolchain.
# A crash leaves its input in fuzz/artifacts/<target>/: replay it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>` and turn it into a regression test.
set -euo pipefail

cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(css dotenv extract jsonc substitute lockfile sfc secret_tokenizer)
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
# No sanitizer: the code is safe Rust (tree-sitter's C parser aside), and the build stays
# affordable. Debug build by default: it builds in a fraction of the time.
build=(--sanitizer none)
[ "${FUZZ_RELEASE:-0}" = 1 ] || build+=(--dev)

# Seed corpora from the repository's own files, so mutations start from real syntax.
seed() {
    local target=$1
    shift
    mkdir -p "corpus/$target"
    find "$@" -type f -size -64k 2>/dev/null | while read -r f; do
        cp -n "$f" "corpus/$target/$(printf '%s' "$f" | cksum | cut -d' ' -f1)" 2>/dev/null || true
    done
}
seed dotenv ../fixtures -name '.env*'
seed extract ../fixtures ../tests/ts-agree \( -name '*.ts' -o -name '*.tsx' -o -name '*.js' -o -name '*.mjs' \)
seed jsonc ../fixtures \( -name 'tsconfig*.json' -o -name 'jsconfig*.json' -o -name 'package.json' \)
seed lockfile ../fixtures/lockfiles \( -name 'package-lock.json' -o -name 'pnpm-lock.yaml' -o -name 'yarn.lock' \)
seed sfc ../fixtures \( -name '*.vue' -o -name '*.svelte' -o -name '*.astro' -o -name '*.mdx' \)
printf '<div>%.0s' $(seq 2000) >corpus/sfc/seed-opens
printf '</x>%.0s' $(seq 2000) >>corpus/sfc/seed-opens
seed css ../fixtures ../bench \( -name '*.css' -o -name '*.scss' -o -name '*.sass' -o -name '*.less' \)
printf '@use "sass:math";\n@use "./tokens" as t with ($a: 1);\n@import "a", "b" screen;\n.a { .b { background: url("#{$x}/i.png"), url(./i\\).png) } }\n// @import "c";\n' >corpus/css/seed-scss
printf '@import (reference) "m";\n@import (css) url("p.css");\n.a { background: url("@{b}/x.png"); }\n/* @import "gone"; */\n' >corpus/css/seed-less
printf '@use "config"\n@import foo, bar/baz\n.a\n  background: url(x.png)\n// c\n  @import gone\n/* b\n  x\n@import back\n' >corpus/css/seed-sass
# substitute: a template, a hook argument and file names, NUL-separated.
mkdir -p corpus/substitute
printf 'npx eslint {files}\0x{files}\0new$(touch PWNED).ts\0-rf\0a b.ts' >corpus/substitute/seed1
printf 'echo pushing to {1}: {files}\0origin\0it'"'"'s.ts\0{1}.ts' >corpus/substitute/seed2

# secret_tokenizer: a format byte, then the text the key is planted in the middle of.
mkdir -p corpus/secret_tokenizer
printf '\001{"config": "{\\"key\\": \\" | \\"}"}\n**x** _y_ | z | w.\n' >corpus/secret_tokenizer/seed1
printf '\011\xef\xbb\xbfa = "\\n \\t";\n' >corpus/secret_tokenizer/seed2

status=0
for t in "${targets[@]}"; do
    echo "== $t: ${seconds}s"
    log="artifacts/$t.log"
    mkdir -p artifacts
    if cargo fuzz run "${build[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 -max_len=65536 -timeout="${FUZZ_TIMEOUT:-10}" >"$log" 2>&1; then
        echo "   no finding"
    else
        echo "   FINDING: see $log and fuzz/artifacts/$t/"
        status=1
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed 's/^/   /' || true
done
exit $status
