//! `imports/case-mismatch`: an import resolves only when letter case is ignored. It works on
//! macOS and Windows (case-insensitive disks) and fails on Linux CI and hosts.

use crate::diagnostic::Finding;
use crate::scan::Import;

pub fn finding(path: &str, import: &Import, written: &str, real: &str) -> Finding {
    Finding::new(
        &super::IMPORTS_CASE_MISMATCH,
        path,
        format!(
            "`{}` matches `{real}` only when letter case is ignored",
            import.specifier
        ),
    )
    .span(import.span)
    .label(format!("the file is `{real}`, not `{written}`"))
    .help(format!("write the import with the file's real case: `{real}`"))
    .specifier(&import.specifier)
    .resolved(real)
}
