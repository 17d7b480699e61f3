#!/bin/sh
# hookctl-managed-hook v1
# Written by `hookctl install`; `hookctl uninstall` removes it and restores any hook it chains.
# Edits are lost on the next install: put your own hook in "<hook>.legacy" beside this file.
hook='@HOOK@'
hookctl_bin='@BIN@'
node_bin='@NODE_BIN@'
reads_stdin='@STDIN@'

# HOOKCTL=0 (or false, off, no, any case, blanks around it): the whole hook, chained hook
# included, is a no-op, like --no-verify. Exactly the values the binary accepts
# (src/install.rs `disabled_by`): ASCII space, tab, newline, CR and form feed are trimmed.
hookctl_off=${HOOKCTL-}
blanks=$(printf ' \t\n\r\fx')
blanks=${blanks%x}
hookctl_off=${hookctl_off#"${hookctl_off%%[!"$blanks"]*}"}
hookctl_off=${hookctl_off%"${hookctl_off##*[!"$blanks"]}"}
case "$hookctl_off" in
0 | [Ff][Aa][Ll][Ss][Ee] | [Oo][Ff][Ff] | [Nn][Oo])
	echo "hookctl: HOOKCTL=$HOOKCTL, skipping $hook" >&2
	exit 0
	;;
esac

# Which hookctl runs, first found:
# 1. the repository's own node_modules/.bin (relative to the work tree root, where git runs
#    hooks): the version package.json pins, and what a teammate's clone has after
#    `npm install`. It is a Node launcher, so only when node is on PATH.
# 2. the absolute path recorded by `hookctl install`: works where PATH is minimal (GUI git
#    clients).
# 3. hookctl on PATH, for a binary that has moved.
installed_bin=$hookctl_bin
if [ -x "$node_bin" ] && command -v node >/dev/null 2>&1; then
	hookctl_bin=$node_bin
elif [ ! -x "$hookctl_bin" ]; then
	hookctl_bin=$(command -v hookctl 2>/dev/null) || hookctl_bin=
fi
if [ -z "$hookctl_bin" ]; then
	# Builtins only: PATH may be empty here.
	printf '%s\n' \
		"hookctl: cannot run the $hook hook: hookctl is not in $node_bin, not at $installed_bin, nor on PATH." \
		"hint: in a JS project: npm install (hookctl is a dev dependency: npm i -D hookctl)" \
		"hint: otherwise install it: run ./install.sh from the hookctl checkout, or cargo install --path <hookctl checkout>" \
		"hint: to bypass hookctl once: HOOKCTL=0 git commit ... (or HOOKCTL=0 git push ...)" >&2
	exit 1
fi

legacy="$0.legacy"
if [ -f "$legacy" ] && [ -x "$legacy" ]; then
	if [ "$reads_stdin" = yes ]; then
		# git writes this hook's stdin once: keep it (trailing newlines too) for both readers.
		input=$(
			cat
			echo x
		)
		input=${input%x}
		printf '%s' "$input" | "$legacy" "$@" || exit $?
		printf '%s' "$input" | "$hookctl_bin" run "$hook" "$@"
		exit $?
	fi
	"$legacy" "$@" || exit $?
fi
exec "$hookctl_bin" run "$hook" "$@"
