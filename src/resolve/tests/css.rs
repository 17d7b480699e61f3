//! Stylesheet imports (`resolve::css`): a table per rule, each import with its kind.

use super::*;

impl Case {
    fn css(&self, importer: &str, kind: ImportKind, spec: &str) -> Verdict {
        self.resolver.resolve_import(importer, &import(spec, kind))
    }

    #[track_caller]
    fn css_table(&self, table: &[(&str, ImportKind, &str, Verdict)]) {
        let got: Vec<(&str, ImportKind, &str, Verdict)> = table
            .iter()
            .map(|(i, k, s, _)| (*i, *k, *s, self.css(i, *k, s)))
            .collect();
        assert_eq!(got, table.to_vec());
    }
}

use ImportKind::{CssImport, CssUrl, LessImport, SassForward, SassImport, SassUse};

#[test]
fn sass_partials_index_files_and_plain_css() {
    let c = case([
        (
            "package.json",
            r#"{ "name": "app", "dependencies": { "bootstrap": "5" } }"#,
        ),
        ("s/_vars.scss", ""),
        ("s/mixins.sass", ""),
        ("s/theme/_index.scss", ""),
        ("s/legacy/index.sass", ""),
        ("s/plain.css", ""),
        ("s/x.import.scss", ""),
        ("s/comp/button.less", ""),
        ("s/fonts/A.woff2", ""),
        ("s/components/_card.scss", ""),
    ]);
    c.css_table(&[
        ("s/main.scss", SassUse, "vars", file("s/_vars.scss")),
        ("s/main.scss", SassUse, "./vars.scss", file("s/_vars.scss")),
        ("s/main.scss", SassForward, "mixins", file("s/mixins.sass")),
        ("s/main.scss", SassUse, "theme", file("s/theme/_index.scss")),
        ("s/main.scss", SassImport, "legacy", file("s/legacy/index.sass")),
        ("s/main.scss", SassImport, "x", file("s/x.import.scss")),
        ("s/main.scss", SassUse, "plain", file("s/plain.css")),
        ("s/main.scss", CssImport, "plain.css", file("s/plain.css")),
        ("s/main.scss", CssImport, "plain", file("s/plain.css")),
        ("s/main.scss", SassUse, "nope", Verdict::Unresolved),
        (
            "s/main.scss",
            SassUse,
            "components/card",
            file("s/components/_card.scss"),
        ),
        ("s/main.scss", SassUse, "components/nope", Verdict::Unresolved),
        ("s/main.scss", SassUse, "bootstrap/scss/x", Verdict::External),
        ("s/main.scss", SassUse, "~bootstrap/scss/x", Verdict::External),
        ("s/main.scss", SassUse, "lit/x", Verdict::Undeclared("lit".into())),
        ("s/main.scss", SassUse, "~lit", Verdict::Undeclared("lit".into())),
        (
            "s/main.less",
            LessImport,
            "comp/button",
            file("s/comp/button.less"),
        ),
        (
            "s/main.less",
            LessImport,
            "comp/button.less",
            file("s/comp/button.less"),
        ),
        ("s/main.css", CssUrl, "fonts/A.woff2", file("s/fonts/A.woff2")),
        (
            "s/main.css",
            CssUrl,
            "./fonts/A.woff2?v=2#x",
            file("s/fonts/A.woff2"),
        ),
        (
            "s/main.css",
            CssUrl,
            "fonts/a.woff2",
            Verdict::CaseMismatch {
                written: "s/fonts/a.woff2".into(),
                real: "s/fonts/A.woff2".into(),
            },
        ),
        // Assets are exact: no extension probing, no packages.
        ("s/main.css", CssUrl, "fonts/A", Verdict::Unresolved),
        ("s/main.css", CssUrl, "bootstrap/x.png", Verdict::Unresolved),
        ("s/main.css", CssUrl, "../../outside.png", Verdict::External),
        // A framework's alias (Docusaurus' `@site`, data/virtual-modules.txt) is provided.
        ("s/main.css", CssUrl, "@site/static/img/x.svg", Verdict::External),
        (
            "s/main.css",
            CssUrl,
            "data:image/png;base64,AA",
            Verdict::External,
        ),
    ]);
}

#[test]
fn tsconfig_paths_only() {
    let c = case([
        ("package.json", r#"{ "name": "app" }"#),
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } } }"#,
        ),
        ("src/styles/_tokens.scss", ""),
        ("src/a.css", ""),
    ]);
    c.css_table(&[
        (
            "src/x/app.scss",
            SassUse,
            "@/styles/tokens",
            file("src/styles/_tokens.scss"),
        ),
        ("src/x/app.css", CssImport, "@/a.css", file("src/a.css")),
        ("src/x/app.css", CssImport, "@/missing.css", Verdict::Unresolved),
        ("src/x/app.css", CssImport, "~/missing.css", Verdict::External),
    ]);
}
