//! Issue 14 (2): imports in stylesheets — `@import`, Sass `@use`/`@forward`, `url()` in `.css`,
//! `.scss`, `.sass`, `.less` — resolved against the snapshot like TS imports.

use crate::common::{check_findings as findings, finding as f, *};

/// A repo with a committed `package.json`, ready for a first commit of stylesheets.
fn repo() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "web", "dependencies": { "bootstrap": "^5" } }"#,
    )
    .write("README.md", "x\n")
    .add(&["package.json", "README.md"])
    .commit_all("init");
    r
}

/// `importer` (text `text`) imports `target` by `spec`: with `target` on disk but not staged a
/// real `git commit` is refused with `imports/untracked` naming `target`; once it is staged, the
/// same commit goes through (the valid twin).
#[track_caller]
fn blocked_until_added(importer: &str, text: &str, spec: &str, target: &str) {
    let r = repo();
    r.install_shim("pre-commit");
    r.write(importer, text).write(target, "/* target */\n");
    r.add(&[importer]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/untracked", importer, spec)],
        "{importer}: {text}"
    );
    let run = r.commit(&["-q", "-m", "style"]);
    assert_ne!(
        run.code,
        0,
        "commit of {importer} should be refused\n{}",
        run.all()
    );
    run.contains("imports/untracked").contains(target);
    r.add(&[target]);
    r.commit(&["-q", "-m", "style"]).ok();
}

#[test]
fn css_import_untracked_blocks_and_twin_passes() {
    blocked_until_added(
        "src/styles/main.css",
        "@import \"./base.css\" layer(base);\nbody { color: red }\n",
        "./base.css",
        "src/styles/base.css",
    );
    blocked_until_added(
        "src/styles/main.css",
        "@import url(theme/dark.css) screen and (prefers-color-scheme: dark);\n",
        "theme/dark.css",
        "src/styles/theme/dark.css",
    );
}

#[test]
fn scss_use_forward_and_import_untracked_block_and_twins_pass() {
    blocked_until_added(
        "src/app.scss",
        "@use \"sass:math\";\n@use './tokens' as t with ($base: 4px);\n.a { width: math.div(1, 2) }\n",
        "./tokens",
        "src/_tokens.scss",
    );
    blocked_until_added(
        "src/app.scss",
        "@forward \"mixins\" show respond-to;\n",
        "mixins",
        "src/mixins.scss",
    );
    blocked_until_added(
        "src/app.scss",
        "// @use 'commented-out';\n@import 'vars';\n",
        "vars",
        "src/_vars.scss",
    );
}

#[test]
fn url_untracked_blocks_and_twin_passes() {
    blocked_until_added(
        "src/fonts.css",
        "@font-face {\n  font-family: Inter;\n  src: url(\"../fonts/inter.woff2\") format(\"woff2\");\n}\n",
        "../fonts/inter.woff2",
        "fonts/inter.woff2",
    );
    blocked_until_added(
        "src/a.scss",
        ".hero { .inner { background: url(./img/hero\\ 1.png) no-repeat; } }\n",
        "./img/hero 1.png",
        "src/img/hero 1.png",
    );
}

#[test]
fn sass_indented_and_less_forms() {
    blocked_until_added(
        "src/app.sass",
        "@use 'sass:math'\n@import buttons\n.a\n  color: red\n",
        "buttons",
        "src/_buttons.sass",
    );
    blocked_until_added(
        "src/app.less",
        "@import (reference) \"mixins\";\n.a { .mixin(); }\n",
        "mixins",
        "src/mixins.less",
    );
    blocked_until_added(
        "src/app.less",
        "@import (css) url(\"print.css\");\n// @import \"gone\";\n",
        "print.css",
        "src/print.css",
    );
}

#[test]
fn sass_partials_and_index_files_resolve_and_a_missing_one_does_not() {
    let r = repo();
    r.write("src/styles/_variables.scss", "$x: 1;\n")
        .write("src/styles/theme/_index.scss", "@forward 'colors';\n")
        .write("src/styles/theme/_colors.scss", "$red: red;\n")
        .write("src/styles/base/index.sass", "body\n  margin: 0\n")
        .write("src/styles/plain.css", "a { color: red }\n")
        .write(
            "src/styles/main.scss",
            "@use 'variables';\n@use \"theme\";\n@use './base';\n@import 'plain.css';\n@use 'missing-partial';\n",
        );
    r.add(&["."]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/styles/main.scss", "missing-partial")]
    );
}

#[test]
fn url_of_a_case_mismatched_font() {
    let r = repo();
    r.write("assets/fonts/Inter-Bold.woff2", "font")
        .write(
            "assets/app.css",
            "@font-face { src: url(./fonts/inter-bold.woff2) format('woff2'); }\n.ok { background: url(fonts/Inter-Bold.woff2) }\n",
        );
    r.add(&["."]);
    let run = r.hookctl(&["check", "--new", "--format", "json"]);
    run.code(1);
    let json = run.json();
    let list = json["findings"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", run.all());
    assert_eq!(list[0]["rule"], "imports/case-mismatch");
    assert_eq!(list[0]["resolved"], "assets/fonts/Inter-Bold.woff2");
    assert_eq!(
        (list[0]["line"].as_u64(), list[0]["column"].as_u64()),
        (Some(1), Some(23))
    );
}

#[test]
fn package_imports_need_a_declared_dependency() {
    let r = repo();
    r.write(
        "src/vendor.scss",
        "@import '~bootstrap/scss/functions';\n@use \"bootstrap/scss/variables\";\n@import '~normalize.css/normalize.css';\n@use 'open-props/style';\n",
    );
    r.add(&["."]);
    assert_eq!(
        findings(&r, &[]),
        [
            f(
                "imports/undeclared-dependency",
                "src/vendor.scss",
                "~normalize.css/normalize.css"
            ),
            f(
                "imports/undeclared-dependency",
                "src/vendor.scss",
                "open-props/style"
            ),
        ]
    );
    r.write(
        "package.json",
        r#"{ "name": "web", "dependencies": { "bootstrap": "^5", "normalize.css": "^8" }, "devDependencies": { "open-props": "^1" } }"#,
    );
    r.add(&["package.json"]);
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn remote_data_fragment_computed_and_builtin_targets_are_silent() {
    let r = repo();
    r.write(
        "src/a.scss",
        r##"@use "sass:math";
@use "sass:map" as m;
@import url("https://fonts.googleapis.com/css2?family=Inter");
@import "//cdn.example.com/x.css";
.a { background: url(data:image/svg+xml;charset=utf8,%3Csvg%3E%3C/svg%3E); }
.b { filter: url(#drop-shadow); mask: url("#m"); }
.c { background: url("#{$base}/x.png"), url($icon); }
.d { background: url(http://example.com/x.png) }
/* @import "in-a-comment"; */
.e { content: "@import 'in-a-string'"; }
"##,
    );
    r.add(&["."]);
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn tsconfig_path_aliases_apply_and_unknown_aliases_are_not_guessed() {
    let r = repo();
    r.write(
        "tsconfig.json",
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } } }"#,
    )
    .write("src/styles/tokens.css", ":root { --x: 1 }\n")
    .write(
        "src/app.css",
        "@import '@/styles/tokens.css';\n@import '@/styles/missing.css';\n@import '~/not-an-alias-here.css';\n",
    );
    r.add(&["."]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/app.css", "@/styles/missing.css")]
    );
}

#[test]
fn root_relative_urls_are_checked_in_the_public_folder() {
    let r = repo();
    r.write("apps/web/package.json", r#"{ "name": "app" }"#)
        .write("apps/web/public/logo.svg", "<svg/>")
        .write("apps/web/src/assets/bg.png", "png")
        .write(
            "apps/web/src/a.css",
            ".a { background: url(/logo.svg) } .b { background: url(/src/assets/bg.png) } .c { background: url(/missing.png) }\n",
        )
        // No `public/` folder: the server of `/x` is unknown, nothing is checked.
        .write("lib/b.css", ".a { background: url(/anything.png) }\n");
    r.add(&["."]);
    r.write("apps/web/public/untracked.svg", "<svg/>")
        .write("apps/web/src/c.css", ".c { background: url(/untracked.svg) }\n");
    r.add(&["apps/web/src/c.css"]);
    assert_eq!(
        findings(&r, &[]),
        [
            f("imports/unresolved", "apps/web/src/a.css", "/missing.png"),
            f("imports/untracked", "apps/web/src/c.css", "/untracked.svg"),
        ]
    );
}

#[test]
fn suppression_comments_work_in_stylesheets() {
    let r = repo();
    r.write(
        "src/a.scss",
        "/* hookctl-ignore imports/unresolved */\n@use 'gone';\n// hookctl-ignore imports/unresolved\n.a { background: url(gone.png) }\n@use 'reported';\n",
    );
    r.add(&["."]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/a.scss", "reported")]
    );
}

#[test]
fn human_output_points_at_the_specifier() {
    let r = repo();
    r.write("src/_tokens.scss", "$x: 1;\n").write(
        "src/app.scss",
        "@use 'sass:math';\n@use './tokens' as t;\n@use 'missing';\n.a { width: t.$x; }\n",
    );
    r.add(&["src/app.scss"]);
    let run = r.hookctl(&["check", "--new", "--no-color"]);
    run.code(1);
    snapshot!(r, "css_untracked_partial_human", run.stdout);
}

/// Deleting a partial that another stylesheet `@use`s re-checks the (unchanged) importer: a
/// scoped hook run finds what a full run finds, warm (caches from earlier runs) or cold.
#[test]
fn deleting_a_used_partial_is_found_warm_and_cold() {
    let r = repo();
    r.write("src/styles/_buttons.scss", ".btn { color: red }\n")
        .write("src/styles/theme/_index.scss", "$c: red;\n")
        .write("src/styles/fonts/Inter.woff2", "font")
        .write(
            "src/styles/main.scss",
            "@use 'buttons';\n@use 'theme';\n@font-face { src: url(fonts/Inter.woff2) }\n",
        )
        .write("src/other.ts", "export const x = 1;\n");
    r.add(&["."]).commit_all("styles");
    r.install_shim("pre-commit");
    // Warm every cache on the committed tree.
    assert_eq!(findings(&r, &["--all-findings"]), []);
    assert_eq!(findings(&r, &[]), []);
    for (removed, spec) in [
        ("src/styles/_buttons.scss", "buttons"),
        ("src/styles/theme/_index.scss", "theme"),
        ("src/styles/fonts/Inter.woff2", "fonts/Inter.woff2"),
    ] {
        r.git(&["rm", "-q", removed]).ok();
        let want = [f("imports/unresolved", "src/styles/main.scss", spec)];
        let warm = findings(&r, &[]);
        std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
        let cold = findings(&r, &[]);
        assert_eq!(warm, want, "warm, after removing {removed}");
        assert_eq!(cold, want, "cold, after removing {removed}");
        assert_eq!(findings(&r, &["--all-findings"]), want);
        let run = r.commit(&["-q", "-m", "rm"]);
        assert_ne!(run.code, 0, "{}", run.all());
        run.contains("imports/unresolved");
        r.git(&["reset", "-q", "--hard", "HEAD"]).ok();
        assert_eq!(findings(&r, &[]), []);
    }
}

/// A bare `@import "pkg/x"` is looked for beside the stylesheet first, on disk too: a declared
/// package's import remembered as clean must not hide an untracked local file that appears later.
#[test]
fn a_local_file_shadowing_a_package_import_is_found_warm_and_cold() {
    let r = repo();
    r.write("src/app.scss", "@use 'bootstrap/scss/grid';\n");
    r.add(&["."]).commit_all("styles");
    assert_eq!(findings(&r, &["--all-findings"]), []);
    r.write("src/bootstrap/scss/_grid.scss", "/* local */\n");
    let want = [f("imports/untracked", "src/app.scss", "bootstrap/scss/grid")];
    assert_eq!(findings(&r, &["--all-findings"]), want, "warm");
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    assert_eq!(findings(&r, &["--all-findings"]), want, "cold");
}

/// The same blob read as another dialect has other imports (`//` is a comment in SCSS, not in
/// CSS): renaming `a.css` to `a.scss` must not reuse the facts cached for `a.css`.
#[test]
fn a_renamed_stylesheet_is_read_in_its_new_dialect_warm_and_cold() {
    let r = repo();
    r.write("src/a.css", "// @import 'gone.css';\n.a { color: red }\n");
    r.add(&["."]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/a.css", "gone.css")]
    );
    r.git(&["mv", "src/a.css", "src/a.scss"]).ok();
    assert_eq!(findings(&r, &[]), [], "warm");
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    assert_eq!(findings(&r, &[]), [], "cold");
}

/// `[imports] style_load_paths`: a bare `@use` is also looked for in the configured folders
/// (Sass `loadPaths`, Angular `includePaths`), after the stylesheet's own folder.
#[test]
fn style_load_paths_are_searched_after_the_stylesheet_folder() {
    let r = repo();
    r.write("src/styles/_variables.scss", "$x: 1;\n").write(
        "src/app/card/card.component.scss",
        "@use 'variables' as v;\n@use 'mixins';\n",
    );
    r.add(&["."]);
    assert_eq!(
        findings(&r, &[]),
        [
            f(
                "imports/unresolved",
                "src/app/card/card.component.scss",
                "variables"
            ),
            f("imports/unresolved", "src/app/card/card.component.scss", "mixins"),
        ]
    );
    r.write(
        "hookctl.toml",
        "[imports]\nstyle_load_paths = [\"src/styles/\"]\n",
    )
    .write("src/styles/_mixins.scss", "@mixin m {}\n");
    r.add(&["hookctl.toml"]);
    assert_eq!(
        findings(&r, &[]),
        [f(
            "imports/untracked",
            "src/app/card/card.component.scss",
            "mixins"
        )]
    );
    r.add(&["."]);
    assert_eq!(findings(&r, &[]), []);
}

/// `{affected}` follows stylesheet imports too: staging a Sass partial hands a job the
/// stylesheets that `@use` it (through `_index.scss` folders), resolved as the checks resolve
/// them, also after a path change since the stored graph.
#[test]
fn affected_follows_stylesheet_imports() {
    let r = repo();
    let out = r.sibling("affected");
    r.write(
        "hookctl.toml",
        format!(
            "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"affected\"\nrun = \"printf '%s\\n' {{affected}} > {}\"\n",
            out.display()
        ),
    )
    .write("src/styles/_vars.scss", "$x: 1;\n")
    .write("src/styles/theme/_index.scss", "@forward '../vars';\n")
    .write("src/app.scss", "@use 'styles/theme';\n")
    .write("src/print.css", "@import url(app.css);\n")
    .write("src/other.scss", ".a { color: red }\n")
    .write("src/page.ts", "import './app.scss';\n")
    .write("src/grid.scss", "@use 'bootstrap/scss/grid';\n");
    r.add(&["."]).commit_all("styles");
    let affected = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_to_string(&out)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect();
        v.sort();
        v
    };
    r.write("src/styles/_vars.scss", "$x: 2;\n")
        .add(&["src/styles/_vars.scss"]);
    for _ in 0..2 {
        r.hookctl(&["run", "pre-commit"]).ok();
        assert_eq!(
            affected(),
            [
                "src/app.scss",
                "src/page.ts",
                "src/styles/_vars.scss",
                "src/styles/theme/_index.scss"
            ]
        );
    }
    // A path change: `other.scss` now @uses a partial added in the same commit.
    r.git(&["checkout", "-q", "HEAD", "--", "src/styles/_vars.scss"])
        .ok();
    r.write("src/_extra.scss", "$y: 1;\n")
        .write("src/other.scss", "@use 'extra';\n")
        .add(&["src/_extra.scss", "src/other.scss"]);
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(affected(), ["src/_extra.scss", "src/other.scss"]);
    // An unchanged stylesheet whose package import a new local partial now shadows.
    r.git(&["reset", "-q", "--hard", "HEAD"]).ok();
    r.write("src/bootstrap/scss/_grid.scss", "/* local */\n")
        .add(&["src/bootstrap/scss/_grid.scss"]);
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(affected(), ["src/bootstrap/scss/_grid.scss", "src/grid.scss"]);
}
