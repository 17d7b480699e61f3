#!/bin/sh
# Replays the postmortem on the shipped fixture (fixtures/postmortem), in a temporary repo:
# a Next.js app imports two files that exist on disk but were never `git add`ed, and reads
# NEXTAUTH_SECRET, which only .env.local sets. `git commit` is refused; after `git add` it passes.
# Needs `hookctl` on PATH (./install.sh puts it there) or HOOKCTL_BIN=/path/to/hookctl.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cargo_bin=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin/hookctl
bin=${HOOKCTL_BIN:-$(command -v hookctl || true)}
[ -n "$bin" ] || [ ! -x "$cargo_bin" ] || bin=$cargo_bin
if [ -z "$bin" ]; then
    echo "demo: hookctl is not on PATH; run ./install.sh first (or set HOOKCTL_BIN)" >&2
    exit 2
fi
bindir=$(dirname "$bin")
PATH="$bindir:$PATH"
export PATH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -R "$here/fixtures/postmortem" "$tmp/app"
cd "$tmp/app"
git init -q -b main
git config user.name demo
git config user.email demo@example.com
"$bin" install --hooks pre-commit,pre-push >/dev/null

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "git add app lib/auth lib/types.ts package.json tsconfig.json .gitignore .env.example   # lib/utils/* forgotten"
git add app lib/auth lib/types.ts package.json tsconfig.json .gitignore .env.example
step "git commit -m 'Add gallery'"
if git commit -q -m "Add gallery"; then
    echo "demo: the commit should have been refused" >&2
    exit 1
fi
echo "(refused: the deploy would have failed with \"Cannot find module\")"

step "git add lib/utils && git commit -m 'Add gallery'"
git add lib/utils
if git commit -q -m "Add gallery"; then
    echo "demo: the commit should still have been refused (NEXTAUTH_SECRET)" >&2
    exit 1
fi
echo "(refused: production would have failed at runtime with NO_SECRET)"

step "echo NEXTAUTH_SECRET= >> .env.example && git add .env.example && git commit -m 'Add gallery'"
echo "NEXTAUTH_SECRET=" >> .env.example
git add .env.example
git commit -q -m "Add gallery"
echo "(accepted: the commit has every file it imports and declares every variable it reads)"
