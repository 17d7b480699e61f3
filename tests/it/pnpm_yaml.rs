//! pnpm-workspace.yaml read with a real YAML parser (issue 10: valid files were
//! `files/unreadable` and blocked the commit).

use crate::common::*;

#[test]
fn unindented_quoted_and_catalog_workspace_files_resolve_workspace_packages() {
    for yaml in [
        "packages:\n- \"packages/*\" # libraries\n- 'apps/*'\ncatalog:\n  react: ^18.2.0\n",
        "packages: [\"packages/*\", apps/*]\ncatalogs:\n  legacy:\n    react: 17\n",
        "packages:\n  - \"packages/*\"\n  - \"apps/* \"\n  - 'x #y'\n",
    ] {
        let r = Repo::new();
        r.write("package.json", r#"{"name":"root","private":true}"#);
        r.write("pnpm-workspace.yaml", yaml);
        r.write(
            "packages/ui/package.json",
            r#"{"name":"@acme/ui","main":"index.ts"}"#,
        );
        r.write("packages/ui/index.ts", "export const ui = 1;\n");
        r.write(
            "apps/web/package.json",
            r#"{"name":"web","dependencies":{"@acme/ui":"workspace:*","react":"catalog:"}}"#,
        );
        r.write(
            "apps/web/a.ts",
            "import { ui } from '@acme/ui';\nexport const a = ui;\n",
        );
        r.git(&["add", "-A"]).ok();
        let run = r.hookctl(&["check", "--format", "json"]);
        let doc = run.json();
        assert_eq!(doc["findings"], serde_json::json!([]), "{yaml}\n{}", run.all());
        assert_eq!(run.code, 0);
    }
}

#[test]
fn broken_workspace_yaml_is_unreadable_with_its_line() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"root"}"#);
    r.write("pnpm-workspace.yaml", "packages:\n  - a\n  b: [\n");
    r.write("a.ts", "export {};\n");
    r.git(&["add", "-A"]).ok();
    r.hookctl(&["check"])
        .code(1)
        .contains("files/unreadable")
        .contains("pnpm-workspace.yaml:");
}
