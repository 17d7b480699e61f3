//! `env/dynamic` (off by default): an env read with a non-literal key (`process.env[name]`)
//! that hookctl cannot check.

use super::env_context::EnvContext;
use crate::diagnostic::Finding;

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, facts) in cx.reading_files() {
        for read in facts.env_reads.iter().filter(|r| r.name.is_none()) {
            out.push(
                Finding::new(
                    &super::ENV_DYNAMIC,
                    path,
                    "env var read with a computed name: hookctl cannot check it",
                )
                .span(read.span)
                .help("read each variable by its literal name, or list the possible names in `[env] allow`")
                .name(format!("{path}:{}", read.span.line)),
            );
        }
    }
    out
}
