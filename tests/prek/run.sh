#!/usr/bin/env bash
# prek (the Rust pre-commit) running hookctl through this repository's .pre-commit-hooks.yaml in
# a copy of fixtures/postmortem: the postmortem commit (lib/utils/* never `git add`ed) is refused,
# and passes once they are staged and the env var declared.
#
# `language: rust` makes prek `cargo install` hookctl from the hook repository's git URL, which
# cannot be fetched here; so the test uses `repo: local` with `language: system` and the entry,
# pass_filenames and always_run of the hook as .pre-commit-hooks.yaml defines it, with this build
# of hookctl on PATH.
#
# Usage: tests/prek/run.sh HOOKCTL_BINARY     (prek on PATH, or PREK=/path/to/prek)
# Ends with "N passed, N failed"; exit 1 when something failed.
set -uo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
bin=${1:?usage: tests/prek/run.sh HOOKCTL_BINARY}
prek=${PREK:-prek}
work=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-prek.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_COMMON_DIR GIT_PREFIX HOOKCTL HOOKCTL_SKIP
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=Test GIT_COMMITTER_EMAIL=test@example.com
export PREK_HOME=$work/prek-home
mkdir -p "$work/bin"
ln -s "$(CDPATH='' cd -- "$(dirname -- "$bin")" && pwd)/$(basename -- "$bin")" "$work/bin/hookctl"
export PATH=$work/bin:$PATH

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; sed 's/^/    | /' "$work/out" | tail -n 30; }

# The hook as .pre-commit-hooks.yaml defines it.
field() { sed -n "/^- id: hookctl\$/,/^- id:/s/^  $1: //p" "$root/.pre-commit-hooks.yaml" | head -n 1; }
entry=$(field entry)
pass_filenames=$(field pass_filenames)
always_run=$(field always_run)
[ "$entry" = "hookctl run pre-commit" ] && [ "$pass_filenames" = false ] && [ "$(field language)" = rust ] &&
	ok ".pre-commit-hooks.yaml: hookctl, language rust, pass_filenames false" || bad ".pre-commit-hooks.yaml fields: '$entry' '$pass_filenames'"

app=$work/app
cp -R "$root/fixtures/postmortem" "$app"
cd "$app" || exit 1
git init -q -b main
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: local
    hooks:
      - id: hookctl
        name: hookctl
        entry: $entry
        language: system
        pass_filenames: $pass_filenames
        always_run: $always_run
YAML
"$prek" install >"$work/out" 2>&1 && ok "prek install" || bad "prek install"
git add .pre-commit-config.yaml app lib/auth lib/types.ts package.json tsconfig.json .gitignore .env.example
if git commit -q -m "Add gallery" >"$work/out" 2>&1; then
	bad "prek let the postmortem commit through"
else
	ok "prek refuses the postmortem commit"
	grep -qF "imports/untracked" "$work/out" && ok "... naming imports/untracked" || bad "no imports/untracked in the output"
fi
git add lib/utils
printf 'NEXTAUTH_SECRET=\n' >>.env.example
git add .env.example
if git commit -q -m "Add gallery" >"$work/out" 2>&1; then ok "the fixed commit passes"; else bad "the fixed commit was refused"; fi

echo "prek: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
