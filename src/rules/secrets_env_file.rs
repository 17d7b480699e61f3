//! `secrets/env-file`: the snapshot contains an env file with real secrets: any `.env*.local`
//! (one machine's values, never meant for git), or another `.env*` file (not `.example`,
//! `.sample`, `.template`) holding a value of a known secret format or a high-entropy value for
//! a secret-like name. Values are never printed.

use super::env_context::EnvContext;
use crate::diagnostic::Finding;
use crate::env::{EnvFileKind, secrets_in_entries};
use crate::rules::imports_untracked::quote;

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, kind, entries) in &cx.env_files {
        let untrack = format!(
            "remove it from git with `git rm --cached {}`, add it to .gitignore, and rotate every secret it held",
            quote(path)
        );
        if *kind == EnvFileKind::Local {
            out.push(
                Finding::new(
                    super::SECRETS_ENV_FILE.id,
                    path.as_str(),
                    format!("`{path}` is a local env file and must not be committed"),
                )
                .help(untrack.clone())
                .name(path.as_str()),
            );
            continue;
        }
        for hit in secrets_in_entries(entries) {
            out.push(
                Finding::new(
                    super::SECRETS_ENV_FILE.id,
                    path.as_str(),
                    format!("`{}` in `{path}` {}", hit.name, hit.reason),
                )
                .at(hit.line, hit.column)
                .help(untrack.clone())
                .name(&hit.name),
            );
        }
    }
    out
}
