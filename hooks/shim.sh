#!/bin/sh
# hookctl-managed-hook v2
# Written by `hookctl install`; `hookctl uninstall` removes it and restores any hook it chains.
# Edits are lost on the next install: put your own hook in "<hook>.legacy" beside this file.
hook='@HOOK@'
hookctl_bin='@BIN@'
npm_bin='@NPM_BIN@'
node_bin='@NODE_BIN@'
install_hint='@INSTALL_HINT@'
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

# Which hookctl runs: the first found of these, each a file test (no process is started, and
# never Node when a native binary is there):
# 1. npm_bin, relative to the work tree root (where git runs hooks): the native binary of the
#    platform package beside the repository's own node_modules/hookctl, reached through that
#    folder, so also when it is a link into pnpm's store. The version package.json pins, found
#    again after every `npm install`, `pnpm install`, `yarn`, `bun install`.
# 2. the absolute path recorded by `hookctl install`: works where PATH is minimal (GUI git
#    clients), and where there is no node_modules (cargo install, Yarn Plug'n'Play).
# 3. node_bin: the repository's node_modules/.bin/hookctl, the Node launcher (slower), when
#    node is on PATH: it finds the platform package wherever it is, or says why it is missing.
# 4. hookctl on PATH, for a binary that has moved.
if [ -f "$npm_bin" ] && [ -x "$npm_bin" ]; then
	hookctl_bin=$npm_bin
elif [ -f "$hookctl_bin" ] && [ -x "$hookctl_bin" ]; then
	:
elif [ -f "$node_bin" ] && command -v node >/dev/null 2>&1; then
	hookctl_bin=$node_bin
else
	installed_bin=$hookctl_bin
	hookctl_bin=$(command -v hookctl 2>/dev/null) || hookctl_bin=
	if [ -z "$hookctl_bin" ]; then
		# Builtins only: PATH may be empty here.
		printf '%s\n' \
			"hookctl: cannot run the $hook hook: no hookctl at $npm_bin (its npm package), nor at $installed_bin, nor on PATH." \
			"hint: in a JS project: $install_hint (hookctl is a dev dependency; add it once with npm i -D hookctl or your package manager)" \
			"hint: otherwise install it: cargo install --locked hookctl, or ./install.sh from a hookctl checkout" \
			"hint: to bypass hookctl once: HOOKCTL=0 git commit ... (or HOOKCTL=0 git push ...)" >&2
		exit 1
	fi
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
