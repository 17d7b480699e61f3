//! Workspace packages: `exports`, the `types` fallback, pnpm links, declared dependencies.

use super::{MemFile, case, file};
use crate::resolve::Verdict;

#[test]
fn workspace_packages_through_exports_with_a_types_fallback() {
    case([
        (
            "package.json",
            r#"{ "name": "root", "private": true, "workspaces": ["packages/*", "apps/*"] }"#,
        ),
        (
            "packages/api/package.json",
            r#"{ "name": "@acme/api", "exports": { ".": { "types": "./dist/index.d.ts", "default": "./src/index.ts" }, "./client": "./src/client.ts" } }"#,
        ),
        ("packages/api/src/index.ts", ""),
        ("packages/api/src/client.ts", ""),
        (
            "packages/broken/package.json",
            r#"{ "name": "@acme/broken", "exports": { ".": { "types": "./types/index.d.ts", "default": "./lib/index.ts" } } }"#,
        ),
        (
            "packages/built/package.json",
            r#"{ "name": "@acme/built", "main": "./dist/index.js", "types": "./dist/index.d.ts" }"#,
        ),
        (
            "apps/web/package.json",
            r#"{ "name": "web", "dependencies": { "@acme/api": "workspace:*", "@acme/broken": "workspace:*", "@acme/built": "workspace:*" } }"#,
        ),
        ("apps/web/a.ts", ""),
    ])
    .check(&[
        // `types` names build output that is not there: the `default` source is used.
        ("apps/web/a.ts", "@acme/api", file("packages/api/src/index.ts")),
        ("apps/web/a.ts", "@acme/api/client", file("packages/api/src/client.ts")),
        // No condition's target is there, and none is build output.
        ("apps/web/a.ts", "@acme/broken", Verdict::Unresolved),
        // Entry points in `dist/`: built before use, not a file of the repository.
        ("apps/web/a.ts", "@acme/built", Verdict::External),
    ]);
}

#[test]
fn pnpm_links_a_workspace_dependency_into_the_package_node_modules() {
    case([
        ("package.json", r#"{ "name": "root", "private": true }"#),
        ("pnpm-workspace.yaml", "packages:\n  - packages/*\n"),
        (
            "packages/helpers/package.json",
            r#"{ "name": "@acme/helpers", "exports": { ".": "./dist/index.js" } }"#,
        ),
        ("packages/helpers/src/index.ts", ""),
        (
            "packages/client/package.json",
            r#"{ "name": "@acme/client", "dependencies": { "@acme/helpers": "workspace:^", "zod": "^4" } }"#,
        ),
        (
            "packages/client/tsconfig.json",
            r#"{ "compilerOptions": { "moduleResolution": "bundler", "paths": { "*": ["./*"], "@acme/helpers": ["./node_modules/@acme/helpers/src/index.ts"] } } }"#,
        ),
        ("packages/client/src/a.ts", ""),
    ])
    .check(&[
        ("packages/client/src/a.ts", "@acme/helpers", file("packages/helpers/src/index.ts")),
        ("packages/client/src/a.ts", "zod/v4", Verdict::External),
        ("packages/client/src/a.ts", "not-declared", Verdict::Unresolved),
    ]);
}

#[test]
fn pnpm_isolates_what_a_sibling_declares_and_hoisting_managers_do_not() {
    let files = |lockfile: &'static str| {
        [
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
            ),
            (lockfile, "\n"),
            (
                "packages/ui/package.json",
                r#"{ "name": "ui", "dependencies": { "clsx": "2.0.0" } }"#,
            ),
            ("packages/app/package.json", r#"{ "name": "app" }"#),
            ("packages/app/a.ts", ""),
        ]
    };
    case(files("yarn.lock")).check(&[("packages/app/a.ts", "clsx", Verdict::External)]);
    case(files("pnpm-lock.yaml")).check(&[("packages/app/a.ts", "clsx", Verdict::Undeclared("clsx".into()))]);
}

#[test]
fn a_symlinked_folder_resolves_to_its_target() {
    case([
        ("package.json", r#"{ "name": "app" }"#.into()),
        ("shared/real/util.ts", "".into()),
        ("src/a.ts", "".into()),
        ("src/linked", MemFile::link("../shared/real")),
    ])
    .check(&[
        ("src/a.ts", "./linked/util", file("shared/real/util.ts")),
        ("src/a.ts", "./linked/gone", Verdict::Unresolved),
    ]);
}

/// Packages committed in a `node_modules` folder (a resolver's test fixtures, as in jest's
/// `test_esm_interop_root/node_modules/esm-no-marker`) resolve there, as Node finds them, from
/// beneath that folder only; elsewhere the name is an ordinary undeclared package.
#[test]
fn packages_committed_in_node_modules_resolve_there() {
    case([
        ("package.json", r#"{"name": "app"}"#),
        (
            "fixtures/root/node_modules/fake-dep/package.json",
            r#"{"name": "fake-dep", "main": "main.js"}"#,
        ),
        ("fixtures/root/node_modules/fake-dep/main.js", ""),
        ("fixtures/root/node_modules/@s/p/index.js", ""),
        ("fixtures/root/test/a.mjs", ""),
        ("src/b.ts", ""),
    ])
    .check(&[
        (
            "fixtures/root/test/a.mjs",
            "fake-dep",
            file("fixtures/root/node_modules/fake-dep/main.js"),
        ),
        (
            "fixtures/root/test/a.mjs",
            "@s/p",
            file("fixtures/root/node_modules/@s/p/index.js"),
        ),
        ("src/b.ts", "fake-dep", Verdict::Undeclared("fake-dep".into())),
    ]);
}
