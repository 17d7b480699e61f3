//! Imports that name no file of the repository: generated folders, virtual and placeholder
//! modules, ambient `declare module`, deno import maps, Node builtins.

use super::case;
use crate::resolve::Verdict;

#[test]
fn generated_folders_are_generated_not_unresolved() {
    case([
        ("package.json", r#"{ "name": "app" }"#),
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "paths": { "~gen/*": ["./src/__generated__/*"] } } }"#,
        ),
        ("src/a.ts", ""),
        ("src/routes/+page.server.ts", ""),
    ])
    .check(&[
        (
            "src/a.ts",
            "./generated/client",
            Verdict::Generated("src/generated/client".into()),
        ),
        (
            "src/a.ts",
            "~gen/graphql",
            Verdict::Generated("src/__generated__/graphql".into()),
        ),
        (
            "src/routes/+page.server.ts",
            "./$types",
            Verdict::Generated("src/routes/$types".into()),
        ),
        ("src/a.ts", "./src-gen/client", Verdict::Unresolved),
    ]);
}

#[test]
fn virtual_placeholder_and_builtin_modules_are_external() {
    case([
        (
            "package.json",
            r#"{ "name": "app", "dependencies": { "@sveltejs/kit": "2.0.0", "next": "15.0.0" } }"#,
        ),
        ("src/a.ts", ""),
    ])
    .check(&[
        ("src/a.ts", "$app/forms", Verdict::External),
        ("src/a.ts", "$env/static/private", Verdict::External),
        ("src/a.ts", "server-only", Verdict::External),
        ("src/a.ts", "SERVER", Verdict::External),
        ("src/a.ts", "node:fs", Verdict::External),
        ("src/a.ts", "path", Verdict::External),
        // Bun's built-in modules (midday, real-repo corpus).
        ("src/a.ts", "bun", Verdict::External),
        ("src/a.ts", "bun:sqlite", Verdict::External),
        ("src/a.ts", "https://esm.sh/preact", Verdict::External),
        ("src/a.ts", "leftpad", Verdict::Undeclared("leftpad".into())),
        // An absolute path names a file outside the repository (jest's module-mapper tests).
        ("src/a.ts", "/custom-reporter.js", Verdict::External),
        ("src/a.ts", "/node_modules/x/jest-preset.json", Verdict::External),
    ]);
}

#[test]
fn an_ambient_declaration_satisfies_a_bare_import_never_a_relative_file() {
    case([
        ("package.json", r#"{ "name": "app" }"#),
        (
            "types/virtual.d.ts",
            "declare module \"my-virtual\" {\n  export const v: number;\n}\ndeclare module \"*.svg\";\n",
        ),
        ("src/a.ts", ""),
    ])
    .check(&[
        ("src/a.ts", "my-virtual", Verdict::External),
        ("src/a.ts", "./missing.svg", Verdict::Unresolved),
        (
            "src/a.ts",
            "other-virtual",
            Verdict::Undeclared("other-virtual".into()),
        ),
    ]);
}

#[test]
fn a_deno_import_map_provides_its_keys_in_its_folder() {
    case([
        ("package.json", r#"{ "name": "app" }"#),
        (
            "deno/deno.json",
            r#"{ "imports": { "std/": "https://deno.land/std@0.192.0/", "zod": "npm:zod", "@std/http": "jsr:@std/http@1" } }"#,
        ),
        ("deno/main.ts", ""),
        ("web/a.ts", ""),
    ])
    .check(&[
        ("deno/main.ts", "std/async/delay.ts", Verdict::External),
        ("deno/main.ts", "zod", Verdict::External),
        ("deno/main.ts", "@std/http/file-server", Verdict::External),
        ("deno/main.ts", "oak", Verdict::Undeclared("oak".into())),
        ("web/a.ts", "zod", Verdict::Undeclared("zod".into())),
    ]);
}
