//! tsconfig `paths`, `baseUrl` and `extends` chains.

use super::{case, file};
use crate::resolve::Verdict;

#[test]
fn paths_and_base_url() {
    case([
        ("package.json", r#"{ "name": "app", "dependencies": { "react": "19" } }"#),
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], "~utils": ["./src/utils/index.ts"] } } }"#,
        ),
        ("src/app.ts", ""),
        ("src/lib/slug.ts", ""),
        ("src/utils/index.ts", ""),
        ("shared/config.ts", ""),
    ])
    .check(&[
        ("src/app.ts", "@/lib/slug", file("src/lib/slug.ts")),
        ("src/app.ts", "~utils", file("src/utils/index.ts")),
        // `baseUrl` makes a bare specifier a path from the root.
        ("src/app.ts", "shared/config", file("shared/config.ts")),
        // An alias that points nowhere is an unresolved import, not a package.
        ("src/app.ts", "@/lib/missing", Verdict::Unresolved),
        ("src/app.ts", "react", Verdict::External),
        ("src/app.ts", "lodash", Verdict::Undeclared("lodash".into())),
    ]);
}

#[test]
fn an_extends_chain_through_bases_of_other_names() {
    case([
        ("package.json", r#"{ "name": "root", "private": true }"#),
        ("config/ts-base.json", r#"{ "extends": "./aliases.jsonc" }"#),
        (
            "config/aliases.jsonc",
            "{\n  // comments are fine in a base\n  \"compilerOptions\": { \"baseUrl\": \"..\", \"paths\": { \"@lib/*\": [\"lib/*\"] } }\n}\n",
        ),
        ("apps/web/tsconfig.json", r#"{ "extends": "../../config/ts-base.json" }"#),
        ("apps/web/page.ts", ""),
        ("lib/auth/options.ts", ""),
        // Outside the config's scope the alias means nothing.
        ("other/a.ts", ""),
    ])
    .check(&[
        ("apps/web/page.ts", "@lib/auth/options", file("lib/auth/options.ts")),
        ("apps/web/page.ts", "@lib/auth/gone", Verdict::Unresolved),
        ("other/a.ts", "@lib/auth/options", Verdict::Undeclared("@lib/auth".into())),
    ]);
}
