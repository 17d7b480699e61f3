//! `imports/unresolved`: an import resolves to nothing, in the snapshot or on disk.

use crate::diagnostic::Finding;
use crate::scan::Import;

pub fn finding(path: &str, import: &Import) -> Finding {
    Finding::new(
        super::IMPORTS_UNRESOLVED.id,
        path,
        format!("`{}` does not resolve to any file", import.specifier),
    )
    .span(import.span)
    .label("no such file in the snapshot or on disk")
    .help("fix the path, or add the missing file")
    .specifier(&import.specifier)
}
