//! `imports/unresolved`: an import resolves to nothing, in the snapshot or on disk.

use crate::diagnostic::Finding;
use crate::scan::Import;

pub fn finding(path: &str, import: &Import) -> Finding {
    Finding::new(
        &super::IMPORTS_UNRESOLVED,
        path,
        format!("`{}` does not resolve to any file", import.specifier),
    )
    .span(import.span)
    .label("no such file in the snapshot or on disk")
    .help(if is_path(import) {
        "fix the path, or add the missing file".to_string()
    } else {
        format!("fix the specifier; {ALIAS_HELP}")
    })
    .specifier(&import.specifier)
}

/// The same verdict where there is no disk to look at (a bare repository: the server's
/// `pre-receive`, a mirror): the target is absent from the commit, and whether it exists on the
/// author's machine is unknown. The likely cause, a file written but never added (what the
/// client reports as `imports/untracked`), comes first.
pub fn finding_in_commit(path: &str, import: &Import) -> Finding {
    Finding::new(
        &super::IMPORTS_UNRESOLVED,
        path,
        format!("`{}` resolves to no file of the commit", import.specifier),
    )
    .span(import.span)
    .label("not in the commit (a repository without a work tree has no disk to look at)")
    .help(if is_path(import) {
        "if the file exists where it was written, it was never added: `git add` it, commit and push again; else fix the path".to_string()
    } else {
        format!(
            "if the target exists where it was written, it was never added: `git add` it, commit and push again; else fix the specifier; {ALIAS_HELP}"
        )
    })
    .specifier(&import.specifier)
}

const ALIAS_HELP: &str = "a bundler alias (vite `resolve.alias`, webpack) must also be in tsconfig `paths`, or listed in `[imports] not_files`";

/// A path rather than an alias. A stylesheet reads a bare `@use 'vars'` beside itself.
fn is_path(import: &Import) -> bool {
    import.specifier.starts_with('.') || import.specifier.starts_with('/') || import.kind.is_css()
}

/// An ESM import without the extension Node requires (`moduleResolution: node16/nodenext`).
pub fn needs_extension(path: &str, import: &Import, found: &str) -> Finding {
    let ext = match found.rsplit_once('.').map(|(_, e)| e) {
        Some("ts" | "tsx" | "js" | "jsx") => "js",
        Some("mts" | "mjs") => "mjs",
        Some("cts" | "cjs") => "cjs",
        Some(other) => other,
        None => "js",
    };
    let stem = found.rsplit('/').next().unwrap_or(found);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let hint = if stem == "index" && !import.specifier.ends_with("index") {
        format!("{}/index.{ext}", import.specifier.trim_end_matches('/'))
    } else {
        format!("{}.{ext}", import.specifier)
    };
    Finding::new(
        &super::IMPORTS_UNRESOLVED,
        path,
        format!(
            "`{}` does not resolve in an ES module: Node needs the file extension",
            import.specifier
        ),
    )
    .span(import.span)
    .label(format!("only extension probing finds `{found}`"))
    .help(format!("write `{hint}` (moduleResolution node16/nodenext, ESM)"))
    .specifier(&import.specifier)
    .resolved(found)
}
