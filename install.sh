#!/bin/sh
# Build and install hookctl, then install its git hooks.
#
# Usage: ./install.sh [REPO]
#   REPO: the repository to install the hooks in. Default: the current directory if it is a git
#   work tree; otherwise only the binary is installed.
#
# Environment:
#   CARGO_INSTALL_ROOT, CARGO_HOME  where cargo installs the binary (as cargo itself uses them).
#   HOOKCTL_BIN=/path/to/hookctl    skip the build and install the hooks with this binary
#                                   (for packagers, and for hookctl's own tests).
#
# Safe to run again: cargo replaces the binary, `hookctl install` leaves current hooks alone.
set -eu

say() { printf 'install.sh: %s\n' "$*" >&2; }

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

if [ -n "${HOOKCTL_BIN:-}" ]; then
	bin=$HOOKCTL_BIN
	if [ ! -x "$bin" ]; then
		say "HOOKCTL_BIN=$bin is not an executable file"
		exit 1
	fi
else
	if ! command -v cargo >/dev/null 2>&1; then
		say "cargo is not on PATH: install Rust from https://rustup.rs, then run this again"
		exit 1
	fi
	say "building hookctl (cargo install --locked --path $here); this takes a few minutes the first time"
	# --quiet hides progress, not errors: a failed build prints cargo's messages and stops here.
	cargo install --quiet --locked --path "$here"
	root=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}
	bin=$root/bin/hookctl
	if [ ! -x "$bin" ]; then
		# An `install.root` in cargo's config puts it elsewhere: trust PATH then.
		bin=$(command -v hookctl) || {
			say "cargo installed hookctl, but it is neither in $root/bin nor on PATH"
			exit 1
		}
	fi
	say "installed $bin"
	case ":$PATH:" in
	*":$(dirname -- "$bin"):"*) ;;
	*) say "note: $(dirname -- "$bin") is not on your PATH; the hooks do not need it (they call $bin)" ;;
	esac
fi

if [ $# -gt 0 ]; then
	repo=$1
elif [ "$(git rev-parse --is-inside-work-tree 2>/dev/null || true)" = true ]; then
	repo=.
	# Run from hookctl's own checkout (the README's first command): only the binary is wanted.
	if [ "$(git rev-parse --show-toplevel)" = "$here" ]; then
		say "this is hookctl's own checkout, so no hooks were installed here"
		say "to install them in your repo: cd your/repo && $bin install   (try it first: ./demo.sh)"
		exit 0
	fi
else
	say "not in a git work tree, so no hooks were installed"
	say "to install them later: cd your/repo && $bin install"
	exit 0
fi

if [ ! -d "$repo" ]; then
	say "$repo: not a directory"
	exit 2
fi
# `hookctl install` is idempotent: a second run says "already installed".
exec "$bin" -C "$repo" install
