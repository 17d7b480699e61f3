//! `env/client-read`: client-side code reads a variable without the framework's public prefix.
//! Every case with its silent twin.

use crate::common::*;

use crate::common::{check_findings, finding as f};

/// The `env/client-read` findings a hook would block on.
fn client_reads(r: &Repo) -> Vec<(String, String, String)> {
    check_findings(r, &[])
        .into_iter()
        .filter(|(rule, _, _)| rule == "env/client-read")
        .collect()
}

/// A Next.js app whose `.env.example` declares every name used (so only this rule can fire).
fn next_app() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"web","dependencies":{"next":"14.2.0","react":"18.3.1"}}"#,
    );
    r.write(
        ".env.example",
        "SECRET_KEY=\nAPI_URL=\nNEXT_PUBLIC_X=\nVITE_API_URL=\n",
    );
    r
}

const CLIENT_READ: &str = "const k = process.env.SECRET_KEY;\nexport default function C() { return k; }\n";

#[test]
fn use_client_file_reading_a_server_variable_is_an_error() {
    let r = next_app();
    r.write("app/button.tsx", format!("\"use client\";\n{CLIENT_READ}"));
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        client_reads(&r),
        [f("env/client-read", "app/button.tsx", "SECRET_KEY")]
    );
    let j = r.hookctl(&["check", "--format", "json"]).json();
    let finding = &j["findings"][0];
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(2), Some(23))
    );
    let help = finding["help"].as_str().unwrap();
    assert!(help.contains("Server Component or route handler"), "{help}");
    // A secret-like name is never told to take the public prefix.
    assert!(!help.contains("NEXT_PUBLIC_SECRET_KEY"), "{help}");
}

#[test]
fn same_read_without_the_directive_is_silent() {
    let r = next_app();
    r.write("app/page.tsx", CLIENT_READ);
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), []);
}

#[test]
fn public_prefix_and_inlined_builtins_are_silent_in_a_client_file() {
    let r = next_app();
    r.write(
        "app/button.tsx",
        "'use client'\nexport const a = [process.env.NEXT_PUBLIC_X, process.env.NODE_ENV];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), []);
    // The twin with an unprefixed name fires, and the help offers the prefix.
    r.write(
        "app/button.tsx",
        "'use client'\nexport const a = [process.env.NEXT_PUBLIC_X, process.env.API_URL];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        client_reads(&r),
        [f("env/client-read", "app/button.tsx", "API_URL")]
    );
    cmd_snapshot!(
        r,
        "env_client_read_public_prefix_and_inlined_builtins_are_silent_in_a_client_file",
        r.hookctl(&["check"])
    );
}

#[test]
fn directive_after_an_import_is_not_a_client_file() {
    let r = next_app();
    r.write(
        "app/button.tsx",
        format!("import React from 'react';\n\"use client\";\n{CLIENT_READ}"),
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), []);
    // Comments before the directive keep it a directive.
    r.write(
        "app/button.tsx",
        format!("// Copyright\n/* button */\n\"use client\";\nimport React from 'react';\n{CLIENT_READ}"),
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        client_reads(&r),
        [f("env/client-read", "app/button.tsx", "SECRET_KEY")]
    );
}

#[test]
fn configured_client_prefix_and_suppression_are_silent() {
    let r = next_app();
    r.write("hookctl.toml", "[env]\nclient_prefixes = [\"SECRET_\"]\n");
    r.write("app/button.tsx", format!("\"use client\";\n{CLIENT_READ}"));
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), []);
    r.remove("hookctl.toml");
    r.write(
        "app/button.tsx",
        "\"use client\";\n// hookctl-ignore env/client-read\nconst k = process.env.SECRET_KEY;\nexport default k;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), []);
}

fn vite_app(deps: &str) -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        format!(r#"{{"name":"spa","devDependencies":{{{deps}}}}}"#),
    );
    r.write(".env.example", "API_URL=\nVITE_API_URL=\n");
    r
}

#[test]
fn vite_unprefixed_import_meta_env_is_an_error_and_prefixed_or_builtin_is_silent() {
    let r = vite_app(r#""vite":"5.4.0""#);
    r.write("src/api.ts", "export const url = import.meta.env.API_URL;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), [f("env/client-read", "src/api.ts", "API_URL")]);
    cmd_snapshot!(
        r,
        "env_client_read_vite_unprefixed_import_meta_env_is_an_error_and_prefixed_or_builtin_is_silent",
        r.hookctl(&["check"])
    );
    r.write(
        "src/api.ts",
        "export const url = [import.meta.env.VITE_API_URL, import.meta.env.MODE, import.meta.env.DEV];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), []);
}

#[test]
fn vite_in_a_workspace_package_uses_the_nearest_package_json() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["apps/*"]}"#,
    );
    r.write(".env.example", "API_URL=\n");
    r.write(
        "apps/spa/package.json",
        r#"{"name":"spa","devDependencies":{"vite":"5.4.0"}}"#,
    );
    r.write("apps/api/package.json", r#"{"name":"api"}"#);
    let src = "export const url = import.meta.env.API_URL;\n";
    r.write("apps/spa/src/a.ts", src);
    r.write("apps/api/src/a.ts", src);
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        client_reads(&r),
        [f("env/client-read", "apps/spa/src/a.ts", "API_URL")]
    );
}

#[test]
fn non_vite_package_is_silent() {
    for deps in [r#""esbuild":"0.23.0""#, r#""vite":"5.4.0","astro":"4.15.0""#] {
        let r = vite_app(deps);
        r.write("src/api.ts", "export const url = import.meta.env.API_URL;\n");
        r.git(&["add", "-A"]).ok();
        assert_eq!(client_reads(&r), [], "{deps}");
    }
}

#[test]
fn a_real_commit_is_blocked_and_only_by_new_reads() {
    let r = next_app();
    r.write("app/page.tsx", "export default function P() { return null; }\n");
    r.git(&["add", "-A"]).ok();
    r.git(&["commit", "-qm", "init"]).ok();
    r.hookctl(&["install"]).ok();
    r.write("app/button.tsx", format!("\"use client\";\n{CLIENT_READ}"));
    r.add(&["app/button.tsx"]);
    let run = r.commit(&["-m", "button"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(
        r,
        "env_client_read_a_real_commit_is_blocked_and_only_by_new_reads",
        run
    );
    // The server twin commits.
    r.write("app/button.tsx", CLIENT_READ);
    r.add(&["app/button.tsx"]);
    r.commit(&["-m", "button"]).ok();
}

#[test]
fn a_read_on_the_server_branch_of_a_typeof_window_guard_is_silent() {
    // create-t3-turbo / trpc examples: client components render on the server too.
    let r = next_app();
    r.write(
        "app/providers.tsx",
        "\"use client\";\nconst base = () => {\n  if (typeof window !== 'undefined') return window.location.origin;\n  return `http://localhost:${process.env.API_URL}`;\n};\nexport default base;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), []);
    // The unguarded twin is reported.
    r.write("app/other.tsx", format!("\"use client\";\n{CLIENT_READ}"));
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        client_reads(&r),
        [f("env/client-read", "app/other.tsx", "SECRET_KEY")]
    );
}

#[test]
fn vite_names_typed_in_import_meta_env_are_provided() {
    // excalidraw: `PKG_NAME` comes from `define`, typed in `vite-env.d.ts`.
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"app","devDependencies":{"vite":"5.0.0"}}"#,
    );
    r.write(".env.example", "PKG_NAME=\nAPI_URL=\n");
    r.write(
        "src/vite-env.d.ts",
        "/// <reference types=\"vite/client\" />\ninterface ImportMetaEnv {\n  readonly PKG_NAME: string;\n  PKG_VERSION?: string;\n}\n",
    );
    r.write(
        "src/a.ts",
        "export const n = import.meta.env.PKG_NAME;\nexport const u = import.meta.env.API_URL;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(client_reads(&r), [f("env/client-read", "src/a.ts", "API_URL")]);
}
