//! Relative imports: extension and `index` probing, ESM `.js` -> `.ts`, case, node16.

use super::{case, file};
use crate::resolve::Verdict;

#[test]
fn extension_and_index_probing() {
    case([
        ("src/a.ts", ""),
        ("src/util.ts", ""),
        ("src/view.tsx", ""),
        ("src/lib/index.ts", ""),
        ("src/types.d.ts", ""),
        ("src/data.json", "{}"),
        ("src/esm.ts", ""),
    ])
    .check(&[
        ("src/a.ts", "./util", file("src/util.ts")),
        ("src/a.ts", "./view", file("src/view.tsx")),
        ("src/a.ts", "./lib", file("src/lib/index.ts")),
        ("src/a.ts", "./types", file("src/types.d.ts")),
        ("src/a.ts", "./data.json", file("src/data.json")),
        ("src/a.ts", "./esm.js", file("src/esm.ts")),
        ("src/lib/index.ts", "../util", file("src/util.ts")),
        ("src/a.ts", "./gone", Verdict::Unresolved),
        ("src/a.ts", "../src/nope.js", Verdict::Unresolved),
    ]);
}

#[test]
fn a_case_mismatch_names_the_real_file() {
    case([("src/a.ts", ""), ("src/Button.tsx", ""), ("src/Lib/index.ts", "")]).check(&[
        (
            "src/a.ts",
            "./button",
            Verdict::CaseMismatch {
                written: "src/button.tsx".into(),
                real: "src/Button.tsx".into(),
            },
        ),
        ("src/a.ts", "./Button", file("src/Button.tsx")),
    ]);
}

#[test]
fn node16_esm_imports_need_the_extension() {
    let tsconfig = r#"{ "compilerOptions": { "module": "node16", "moduleResolution": "node16" } }"#;
    case([
        ("package.json", r#"{ "name": "app", "type": "module" }"#),
        ("tsconfig.json", tsconfig),
        ("src/a.ts", ""),
        ("src/b.ts", ""),
        ("src/dir/index.ts", ""),
        ("src/c.cts", ""),
    ])
    .check(&[
        ("src/a.ts", "./b", Verdict::NeedsExtension("src/b.ts".into())),
        (
            "src/a.ts",
            "./dir",
            Verdict::NeedsExtension("src/dir/index.ts".into()),
        ),
        ("src/a.ts", "./b.js", file("src/b.ts")),
        ("src/a.ts", "./dir/index.js", file("src/dir/index.ts")),
        // A CommonJS file of the same package probes as before.
        ("src/c.cts", "./b", file("src/b.ts")),
    ]);
}

#[test]
fn without_node16_probing_is_fine() {
    case([
        ("package.json", r#"{ "name": "app", "type": "module" }"#),
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "moduleResolution": "bundler" } }"#,
        ),
        ("src/a.ts", ""),
        ("src/b.ts", ""),
    ])
    .check(&[("src/a.ts", "./b", file("src/b.ts"))]);
}

/// `require('..')` from a package's `bin/` (jest's `packages/jest-cli/bin/jest.js`): the folder
/// is a package whose `main` is build output not built yet, which is not a missing file. A
/// package folder whose entry is a source file that is missing stays unresolved.
#[test]
fn a_package_folder_whose_entry_is_build_output() {
    case([
        (
            "packages/cli/package.json",
            r#"{"name": "cli", "main": "./build/index.js"}"#,
        ),
        ("packages/cli/bin/cli.js", ""),
        ("packages/cli/src/index.ts", ""),
        (
            "packages/lib/package.json",
            r#"{"name": "lib", "main": "./src/gone.js"}"#,
        ),
        ("packages/lib/bin/lib.js", ""),
        ("e2e/test.js", ""),
    ])
    .check(&[
        (
            "packages/cli/bin/cli.js",
            "..",
            Verdict::Generated("packages/cli".into()),
        ),
        (
            "packages/cli/bin/cli.js",
            "../",
            Verdict::Generated("packages/cli".into()),
        ),
        (
            "e2e/test.js",
            "../packages/cli",
            Verdict::Generated("packages/cli".into()),
        ),
        ("packages/lib/bin/lib.js", "..", Verdict::Unresolved),
        ("packages/cli/bin/cli.js", "../missing", Verdict::Unresolved),
    ]);
}
