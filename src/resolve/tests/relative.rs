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

/// An extensionless import beside one file of an extension no list names: the bundler may
/// probe it (Ember `.gts`/`.gjs`, Marko, mdsvex), so it is uncertain. Beside a file of every
/// line of `data/non-code-extensions.txt`, or of two extension segments, it stays unresolved:
/// a deleted `x.ts` is the likely story.
#[test]
fn a_sibling_of_another_single_extension_is_uncertain_and_non_code_ones_are_not() {
    let other = |found: &str, ext: &str| Verdict::OtherExtension {
        found: found.into(),
        ext: ext.into(),
    };
    let non_code: Vec<&str> =
        crate::data::lines(include_str!("../../../data/non-code-extensions.txt")).collect();
    assert!(non_code.len() > 50);
    let mut files: Vec<(String, &str)> = vec![
        ("src/main.ts".into(), ""),
        ("src/Card.gts".into(), ""),
        ("src/List.gjs".into(), ""),
        ("src/Nav.marko".into(), ""),
        ("src/post.svx".into(), ""),
        ("src/Style.CSS".into(), ""),
        ("src/mod.module.css".into(), ""),
        ("src/util.test.ts".into(), ""),
        ("src/both.css".into(), ""),
        ("src/both.imba".into(), ""),
        ("src/Folder.gts/x.ts".into(), ""),
    ];
    for ext in &non_code {
        assert!(
            !ext.contains('.') && *ext == ext.to_ascii_lowercase(),
            "`{ext}`: one extension, no dot, lower case"
        );
        files.push((format!("src/n_{ext}.{ext}"), ""));
    }
    let specs: Vec<String> = non_code.iter().map(|e| format!("./n_{e}")).collect();
    let mut table: Vec<(&str, &str, Verdict)> = vec![
        ("src/main.ts", "./Card", other("src/Card.gts", ".gts")),
        ("src/main.ts", "./List", other("src/List.gjs", ".gjs")),
        ("src/main.ts", "./Nav", other("src/Nav.marko", ".marko")),
        ("src/main.ts", "./post", other("src/post.svx", ".svx")),
        ("src/main.ts", "./both", other("src/both.imba", ".imba")),
        ("src/main.ts", "./Style", Verdict::Unresolved),
        ("src/main.ts", "./mod", Verdict::Unresolved),
        ("src/main.ts", "./util", Verdict::Unresolved),
        ("src/main.ts", "./Folder", Verdict::Unresolved),
        ("src/main.ts", "./Card.js", Verdict::Unresolved),
    ];
    // (`.json` is one of TypeScript's own extensions: `./n_json` is that file.)
    table.extend(specs.iter().zip(&non_code).map(|(s, ext)| {
        let want = if *ext == "json" {
            file("src/n_json.json")
        } else {
            Verdict::Unresolved
        };
        ("src/main.ts", s.as_str(), want)
    }));
    case(files).check(&table);
}
