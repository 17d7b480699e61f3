//! `imports/undeclared-dependency`: a bare import names a package that is neither a Node
//! builtin, a workspace package, nor declared in the nearest package.json or the root's. It
//! works locally because the package is hoisted or installed globally, and fails on a clean
//! install.
//!
//! When the package's `@types` package is declared (`@types/har-format` for `har-format`, a
//! types-only package), the import type-checks, and the compiler and bundlers drop an import
//! whose bindings are used only as types: whether the deploy breaks depends on how the bindings
//! are used, so it is a warning, with the fix (`import type`) that makes it certain.

use crate::diagnostic::Finding;
use crate::resolve::packages::Packages;
use crate::scan::Import;

pub fn finding(path: &str, import: &Import, package: &str, packages: &Packages) -> Finding {
    let manifest = match packages.nearest_manifest(path) {
        Some("") | None => "package.json".to_string(),
        Some(dir) => format!("{dir}/package.json"),
    };
    let dev = if import.type_only { " -D" } else { "" };
    let target = if import.type_only {
        crate::resolve::types_package(package)
    } else {
        package.to_string()
    };
    let dir = manifest
        .strip_suffix("package.json")
        .unwrap_or("")
        .trim_end_matches('/');
    let cd = if dir.is_empty() {
        String::new()
    } else {
        format!("cd {dir} && ")
    };
    let types = crate::resolve::types_package(package);
    if !import.type_only && packages.declared(path, &types) {
        return Finding::new(
            &super::IMPORTS_UNDECLARED_DEPENDENCY,
            path,
            format!(
                "`{package}` is not declared in `{manifest}`, only its types (`{types}`): it breaks at run time only if a binding of this import is used as a value"
            ),
        )
        .span(import.span)
        .label("only its types are declared")
        .help(format!(
            "write `import type` if it is used only in types; otherwise add it: `{cd}npm install {package}`"
        ))
        .specifier(&import.specifier)
        .name(package)
        .uncertain(true);
    }
    Finding::new(
        &super::IMPORTS_UNDECLARED_DEPENDENCY,
        path,
        format!("`{package}` is not declared in `{manifest}`"),
    )
    .span(import.span)
    .label("not a dependency of this package")
    .help(format!(
        "add it: `{cd}npm install{dev} {target}` (or your package manager's equivalent)"
    ))
    .specifier(&import.specifier)
    .name(package)
}
