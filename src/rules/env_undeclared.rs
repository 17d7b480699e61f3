//! `env/undeclared`: code reads an env var that no declaration file (`.env.example` or a
//! committed `.env`, nearest walking up, plus the root's; turbo.json), no `[env] allow` and no
//! runtime built-in declares, and, in a workspace library, neither do the apps that use it.
//! The postmortem's `NEXTAUTH_SECRET`: set in `.env.local`, absent from production.

use std::collections::HashMap;

use super::env_context::EnvContext;
use crate::diagnostic::Finding;
use crate::scan::EnvRead;

/// Why a read of an undeclared name breaks nothing when the variable is unset, if it does
/// not: its kind (a fallback, a test, a guard, a schema: `scan::ReadKind`), or its file (a
/// test or script). `None` when it is required. Shared by the env rules, so each reports the
/// same reads as warnings (`[env] fallback_reads`).
pub fn why_optional(cx: &EnvContext, path: &str, read: &EnvRead) -> Option<&'static str> {
    read.kind.why_optional().or_else(|| {
        cx.is_dev_file(path)
            .then_some("it is read in a test or script file, which no deploy runs")
    })
}

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let soften = cx.config.env.fallback_reads_warn();
    let typed = std::sync::OnceLock::new();
    let mut out: Vec<Finding> = Vec::new();
    for (path, facts) in cx.reading_files() {
        // One finding per line and name: the most certain read wins.
        let mut on_line: HashMap<(u32, &str), usize> = HashMap::new();
        for read in &facts.env_reads {
            let Some(name) = &read.name else { continue };
            if cx.is_declared(path, name) {
                continue;
            }
            let why = why_optional(cx, path, read)
                .or_else(|| defined_by_build(cx, path, name, read, &typed))
                .filter(|_| soften);
            if let Some(&i) = on_line.get(&(read.span.line, name.as_str())) {
                if out[i].uncertain && why.is_none() {
                    out[i] = finding(cx, path, name, read, why);
                }
                continue;
            }
            on_line.insert((read.span.line, name), out.len());
            out.push(finding(cx, path, name, read, why));
        }
    }
    out
}

/// `import.meta.env.X` of a name Vite's env prefix does not expose (`VITE_`, or the config's
/// `envPrefix`) that the project types in `interface ImportMetaEnv`: no environment variable can
/// give it a value, only a `define` of the build (excalidraw's `PKG_VERSION`), which hookctl
/// did not find. Whether it is set is the build's business: a warning.
fn defined_by_build(
    cx: &EnvContext,
    path: &str,
    name: &str,
    read: &EnvRead,
    typed: &std::sync::OnceLock<std::collections::HashSet<String>>,
) -> Option<&'static str> {
    if read.source != crate::scan::EnvSource::ImportMetaEnv {
        return None;
    }
    let exposed = match cx.vite_env_prefixes(path) {
        Some(Err(())) => return None,
        Some(Ok(prefixes)) => prefixes
            .iter()
            .any(|p| !p.is_empty() && name.starts_with(p.as_str())),
        None => name.starts_with("VITE_"),
    };
    if exposed
        || !typed
            .get_or_init(|| super::env_client_read::typed_import_meta_env(cx))
            .contains(name)
    {
        return None;
    }
    Some(
        "Vite exposes no environment variable by that name, so a `define` of the build sets it (it is typed in `ImportMetaEnv`)",
    )
}

fn finding(cx: &EnvContext, path: &str, name: &str, read: &EnvRead, why: Option<&str>) -> Finding {
    let local = cx
        .local_names()
        .get(name)
        .map(|f| format!(" (it is set only in `{f}` on this machine)"))
        .unwrap_or_default();
    let soft = why
        .map(|w| format!("; nothing breaks when it is unset: {w}"))
        .unwrap_or_default();
    let set = if why.is_some() {
        "if deploys should set it"
    } else {
        "and set it in every environment"
    };
    // A library's variables are set by the apps that run it: point there, not at the
    // library's own folder.
    let (message, help) = match cx.used_by(path) {
        Some(used_by) => (
            format!(
                "`{name}` is read here but declared in no `.env.example`{local}: declare it in {}{soft}",
                used_by.describe()
            ),
            format!("add `{name}=` there ({set}), or list it in `[env] allow` in hookctl.toml"),
        ),
        None => (
            format!("`{name}` is read here but declared in no `.env.example`{local}{soft}"),
            format!(
                "add `{name}=` to `{}` ({set}), or list it in `[env] allow` in hookctl.toml",
                nearest_example(cx, path)
            ),
        ),
    };
    Finding::new(&super::ENV_UNDECLARED, path, message)
        .span(read.span)
        .label(if why.is_some() {
            "not declared (optional)"
        } else {
            "not declared"
        })
        .help(help)
        .name(name)
        .uncertain(why.is_some())
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
