//! When an `imports/unresolved` or `imports/undeclared-dependency` finding is not certain to
//! break the deploy (issue 19), whatever the resolver found:
//!
//! - the import is in a TypeScript declaration file (`.d.ts`, `.d.mts`, `.d.cts`): no bundler
//!   ever reads one, only a type check does, and `skipLibCheck` (set by most framework base
//!   configs) skips it. Unless the file's tsconfig program sets `skipLibCheck: false`
//!   explicitly, the finding is a warning.
//! - the import is a `require(...)`, `require.resolve(...)` or `import(...)` call inside a `try`
//!   block ([`crate::scan::Import::guarded`]): the code handles a missing module at run time
//!   (a feature probe), and webpack marks such a dependency optional (a build warning).
//!
//! `imports/untracked` is never softened: a file on disk but not in the commit is the classic
//! "works on my machine" break, in a declaration file or a `try` alike.

use crate::diagnostic::Finding;
use crate::scan::Import;

/// Whether `path` is a TypeScript declaration file.
pub fn is_declaration_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// `finding` softened to a warning (why prepended to its help) when nothing shows the deploy
/// breaks. `checks_declaration_files` says whether the file's tsconfig sets `skipLibCheck:
/// false` (asked only for a declaration file).
pub fn soften(
    finding: Finding,
    path: &str,
    import: &Import,
    checks_declaration_files: impl FnOnce() -> bool,
) -> Finding {
    let rule = finding.rule.id;
    if rule != super::IMPORTS_UNRESOLVED.id && rule != super::IMPORTS_UNDECLARED_DEPENDENCY.id {
        return finding;
    }
    let why = if import.guarded {
        "the call sits in a `try` block: a missing module is caught at run time (webpack marks it optional)"
    } else if is_declaration_file(path) && !checks_declaration_files() {
        "a declaration file never reaches the bundler, and a type check skips it (`skipLibCheck`); only `tsc` with `skipLibCheck: false` reports it"
    } else {
        return finding;
    };
    let help = match &finding.help {
        Some(fix) => format!("{why}; if it must load: {fix}"),
        None => why.to_string(),
    };
    finding.help(help).uncertain(true)
}

#[cfg(test)]
mod tests {
    use super::is_declaration_file;

    #[test]
    fn declaration_files() {
        for p in ["a.d.ts", "src/types.d.ts", "x/env.d.mts", "y.d.cts"] {
            assert!(is_declaration_file(p), "{p}");
        }
        for p in ["a.ts", "d.ts", "src/d.ts/x.ts", "a.mts", "types.dts"] {
            assert!(!is_declaration_file(p), "{p}");
        }
    }
}
