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
    // A stylesheet reads a bare `@use 'vars'` beside itself: a path, not an alias.
    .help(if import.specifier.starts_with('.') || import.specifier.starts_with('/') || import.kind.is_css() {
        "fix the path, or add the missing file".to_string()
    } else {
        "fix the specifier; a bundler alias (vite `resolve.alias`, webpack) must also be in tsconfig `paths`, or listed in `[imports] not_files`".to_string()
    })
    .specifier(&import.specifier)
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
