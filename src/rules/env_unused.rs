//! `env/unused` (off by default): a name declared in a declaration file is read by no code.
//! Needs every source file, so enabling it makes checks scan the whole snapshot.

use std::collections::HashSet;

use super::env_context::EnvContext;
use crate::diagnostic::Finding;

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let read: HashSet<&str> = cx
        .files
        .iter()
        .flat_map(|(_, f)| f.env_reads.iter().filter_map(|r| r.name.as_deref()))
        .collect();
    let mut out = Vec::new();
    for file in cx.declarations.files() {
        for (name, &line) in &file.names {
            if !read.contains(name.as_str()) && !crate::env::is_builtin(name) {
                out.push(
                    Finding::new(
                        &super::ENV_UNUSED,
                        &file.path,
                        format!("`{name}` is declared but no code reads it"),
                    )
                    .at(line, 1)
                    .help(format!(
                        "remove `{name}` from `{}` if nothing (code, config, platform) uses it",
                        file.path
                    ))
                    .name(name),
                );
            }
        }
    }
    out
}
