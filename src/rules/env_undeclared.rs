//! `env/undeclared`: code reads an env var that no declaration file (`.env.example`, nearest
//! walking up, plus the root's), no `[env] allow` and no runtime built-in declares. The
//! postmortem's NEXTAUTH_SECRET: set in `.env.local`, absent from production.

use super::env_context::EnvContext;
use crate::diagnostic::Finding;

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, facts) in cx.files {
        for read in &facts.env_reads {
            let Some(name) = &read.name else { continue };
            if cx.declarations.is_declared(path, name) {
                continue;
            }
            let example = nearest_example(cx, path);
            let local = cx
                .local_names()
                .get(name)
                .map(|f| format!(" (it is set only in `{f}` on this machine)"))
                .unwrap_or_default();
            out.push(
                Finding::new(super::ENV_UNDECLARED.id, path, format!("`{name}` is read here but declared in no `.env.example`{local}"))
                    .span(read.span)
                    .label("not declared")
                    .help(format!("add `{name}=` to `{example}` (and set it in every environment), or list it in `[env] allow` in hookctl.toml"))
                    .name(name),
            );
        }
    }
    out
}

/// The declaration file a reader at `path` would use (the root's `.env.example` if none).
pub fn nearest_example(cx: &EnvContext, path: &str) -> String {
    let mut dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    loop {
        if let Some(f) = cx
            .declarations
            .files()
            .find(|f| f.path.rsplit_once('/').map_or("", |(d, _)| d) == dir)
        {
            return f.path.clone();
        }
        if dir.is_empty() {
            return ".env.example".to_string();
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
}
