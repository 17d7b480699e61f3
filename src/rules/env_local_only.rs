//! `env/local-only` (warning): a name read by code and declared nowhere is set in an untracked
//! local env file (`.env.local`, ...): the code works on this machine only.

use super::env_context::EnvContext;
use crate::diagnostic::Finding;

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, facts) in cx.reading_files() {
        for read in &facts.env_reads {
            let Some(name) = &read.name else { continue };
            let Some(file) = cx.local_names().get(name) else {
                continue;
            };
            if cx.declarations.is_declared_anywhere(name) {
                continue;
            }
            // A library's variables belong to the apps that use it.
            let target = cx
                .used_by(path)
                .map_or_else(|| "`.env.example`".to_string(), |u| u.describe());
            out.push(
                Finding::new(
                    &super::ENV_LOCAL_ONLY,
                    path,
                    format!("`{name}` is set only in `{file}`, which git does not track"),
                )
                .span(read.span)
                .label("works on this machine only")
                .help(format!(
                    "declare `{name}=` in {target} and set it where the code is deployed"
                ))
                .name(name),
            );
        }
    }
    out
}
