//! `env/required-by-package`: a dependency in a package.json reads an env var itself (e.g.
//! `next-auth` needs `NEXTAUTH_SECRET` or `AUTH_SECRET`) and no declaration file lists it: the
//! app fails at runtime although the code never names the variable. The table is
//! `data/env-required-by-package.toml`. A workspace library's requirement is met by the
//! declarations of an app that uses it.

use super::env_context::EnvContext;
use crate::diagnostic::Finding;
use crate::resolve::packages::Packages;
use crate::snapshot::Snapshot;

pub fn check(cx: &EnvContext, packages: &Packages, snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for (dir, manifest) in &packages.manifests {
        let path = if dir.is_empty() {
            "package.json".to_string()
        } else {
            format!("{dir}/package.json")
        };
        let mut deps: Vec<&String> = manifest.deps.iter().collect();
        deps.sort();
        for dep in deps {
            for req in crate::env::required_by_package(dep) {
                if req.any_of.iter().any(|n| cx.is_declared(&path, n)) {
                    continue;
                }
                let names = req
                    .any_of
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                let (line, column, start) = position_of(snap, &path, dep);
                let target = cx.used_by(&path).map_or_else(
                    || format!("`{}`", super::env_undeclared::nearest_example(cx, &path)),
                    |u| u.describe(),
                );
                out.push(
                    Finding::new(
                        super::ENV_REQUIRED_BY_PACKAGE.id,
                        path.as_str(),
                        format!("`{dep}` needs {names}, which no `.env.example` declares"),
                    )
                    .at(line, column)
                    .with_span(start, start + dep.len() as u32 + 2)
                    .help(format!(
                        "add `{}=` to {target} and set it in every environment (see {})",
                        req.any_of[0], req.doc
                    ))
                    .name(&req.any_of[0]),
                );
            }
        }
    }
    out
}

/// The 1-based line and column, and the byte offset, of `"dep"` in a package.json (zeros if
/// not found).
fn position_of(snap: &Snapshot, path: &str, dep: &str) -> (u32, u32, u32) {
    let Ok(bytes) = snap.read(path) else {
        return (0, 0, 0);
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(offset) = text.find(&format!("\"{dep}\"")) else {
        return (0, 0, 0);
    };
    let (line, column) = crate::config::line_col(&text, offset);
    (line as u32, column as u32, offset as u32)
}
