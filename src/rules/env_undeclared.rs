//! `env/undeclared`: code reads an env var that no declaration file (`.env.example` or a
//! committed `.env`, nearest walking up, plus the root's; turbo.json), no `[env] allow` and no
//! runtime built-in declares, and, in a workspace library, neither do the apps that use it.
//! The postmortem's NEXTAUTH_SECRET: set in `.env.local`, absent from production.

use super::env_context::EnvContext;
use crate::diagnostic::Finding;

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, facts) in cx.files {
        for read in &facts.env_reads {
            let Some(name) = &read.name else { continue };
            if cx.is_declared(path, name) {
                continue;
            }
            let local = cx
                .local_names()
                .get(name)
                .map(|f| format!(" (it is set only in `{f}` on this machine)"))
                .unwrap_or_default();
            // A library's variables are set by the apps that run it: point there, not at the
            // library's own folder.
            let (message, help) = match cx.used_by(path) {
                Some(used_by) => (
                    format!(
                        "`{name}` is read here but declared in no `.env.example`{local}: declare it in {}",
                        used_by.describe()
                    ),
                    format!(
                        "add `{name}=` there (and set it in every environment), or list it in `[env] allow` in hookctl.toml"
                    ),
                ),
                None => (
                    format!("`{name}` is read here but declared in no `.env.example`{local}"),
                    format!(
                        "add `{name}=` to `{}` (and set it in every environment), or list it in `[env] allow` in hookctl.toml",
                        nearest_example(cx, path)
                    ),
                ),
            };
            out.push(
                Finding::new(super::ENV_UNDECLARED.id, path, message)
                    .span(read.span)
                    .label("not declared")
                    .help(help)
                    .name(name),
            );
        }
    }
    out
}

/// The declaration file a reader at `path` would use (the root's `.env.example` if none). When
/// the nearest folder with declarations has only a committed `.env`, its `.env.example` (to
/// create) is named: a value written into a committed `.env` ships with the repository.
pub fn nearest_example(cx: &EnvContext, path: &str) -> String {
    let folder = |f: &str| f.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let mut dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    loop {
        let mut here = cx
            .declarations
            .files()
            .filter(|f| folder(&f.path) == dir)
            .peekable();
        if here.peek().is_some() {
            return match here.find(|f| crate::env::is_declaration_file(&f.path)) {
                Some(f) => f.path.clone(),
                None if dir.is_empty() => ".env.example".to_string(),
                None => format!("{dir}/.env.example"),
            };
        }
        if dir.is_empty() {
            return ".env.example".to_string();
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
}
