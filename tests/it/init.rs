//! `hookctl init` in a monorepo: every workspace package looked at, no `npx`, the clean build
//! commented out, nothing that names a file that does not exist.

use std::path::Path;

use crate::common::Repo;

fn monorepo(repo: &Repo) {
    repo.write(
        "package.json",
        "{\"name\": \"mono\", \"private\": true, \"scripts\": {\"build\": \"turbo build\", \"test\": \"turbo test\"}}\n",
    )
    .write("pnpm-workspace.yaml", "packages:\n  - \"apps/*\"\n  - \"packages/*\"\n")
    .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    .write(
        "apps/web/package.json",
        "{\"name\": \"web\", \"dependencies\": {\"next\": \"15.0.0\"}}\n",
    )
    .write("apps/web/eslint.config.mjs", "export default [];\n")
    .write("apps/web/tsconfig.json", "{}\n")
    .write("apps/web/.env.local", "SECRET=x\n")
    .write("apps/api/package.json", "{\"name\": \"api\"}\n")
    .write("apps/api/tsconfig.json", "{}\n")
    .write("apps/api/.env.example", "DATABASE_URL=\n")
    .write("packages/ui/package.json", "{\"name\": \"@acme/ui\"}\n")
    .write("packages/ui/.prettierrc", "{}\n")
    .write(".gitignore", ".env.local\n")
    .commit_all("init");
}

#[test]
fn init_looks_at_every_workspace_package() {
    let repo = Repo::new();
    monorepo(&repo);
    repo.hookctl(&["init"]).ok();
    let text = repo.read("hookctl.toml");
    let c = hookctl::config::parse(Path::new("hookctl.toml"), &text).unwrap();

    assert!(!text.contains("npx"), "{text}");
    assert!(text.contains("Next.js"), "frameworks of packages: {text}");
    let jobs: Vec<(&str, &str, Option<&str>)> = c
        .hooks
        .iter()
        .flat_map(|(h, hc)| {
            hc.jobs
                .iter()
                .map(move |j| (h.as_str(), j.name.as_str(), j.root.as_deref()))
        })
        .collect();
    assert!(
        jobs.contains(&("pre-commit", "lint-web", Some("apps/web"))),
        "{jobs:?}"
    );
    assert!(
        jobs.contains(&("pre-commit", "format", None)),
        "prettier config in packages/ui: {jobs:?}"
    );
    assert!(
        jobs.contains(&("pre-push", "types-web", Some("apps/web"))),
        "{jobs:?}"
    );
    assert!(
        jobs.contains(&("pre-push", "types-api", Some("apps/api"))),
        "{jobs:?}"
    );
    assert!(
        !jobs.iter().any(|j| j.1 == "lint"),
        "no root eslint config: {jobs:?}"
    );
    let lint = &c.hooks["pre-commit"]
        .jobs
        .iter()
        .find(|j| j.name == "lint-web")
        .unwrap()
        .run;
    assert_eq!(
        lint, "eslint --max-warnings=0 {files}",
        "node_modules/.bin is on PATH"
    );

    // The clean build is there, commented out.
    assert!(!jobs.iter().any(|j| j.1 == "build"), "{jobs:?}");
    assert!(
        text.contains("# run = \"pnpm run build\"\n# clean = true"),
        "{text}"
    );

    // Env files per package: apps/web has only a local one.
    assert!(text.contains("apps/web/.env.local"), "{text}");
    assert!(!text.contains("apps/api/.env.local"), "{text}");

    // Nothing named that does not exist: roots, and every path-looking word.
    for (_, _, root) in &jobs {
        if let Some(r) = root {
            assert!(repo.path(r).is_dir(), "root {r}");
        }
    }
    for word in text.split(|c: char| c.is_whitespace() || "\"'`,;()[]=".contains(c)) {
        let word = word.trim_end_matches(['.', ':']);
        let path_like = word.contains('/') && !word.contains(['*', '{', '<', '^']) && !word.starts_with('-');
        let file_like = word.ends_with(".md") || word.ends_with(".json") || word.starts_with(".env.");
        let rule = hookctl::rules::by_id(word).is_some();
        // node_modules/.bin is named as the folder jobs' PATH starts with, wherever it is.
        let concept = word.starts_with("node_modules/");
        if (path_like || file_like) && !rule && !concept && !word.starts_with(".env") {
            assert!(repo.path(word).exists(), "`{word}` does not exist:\n{text}");
        }
    }
    assert!(!text.contains("SPEC.md") && !text.contains("README.md"), "{text}");
}

/// Jobs call the tools by name (the jobs' PATH has `node_modules/.bin`), through `yarn` only
/// under Plug'n'Play, which has no `node_modules`.
#[test]
fn init_calls_tools_by_name_except_under_plug_n_play() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        "{\"name\": \"mono\", \"workspaces\": [\"packages/*\"]}\n",
    )
    .write("package-lock.json", "{}\n")
    .write("tsconfig.json", "{}\n")
    .write("eslint.config.js", "export default [];\n")
    .write("packages/a/package.json", "{\"name\": \"a\"}\n")
    .commit_all("init");
    repo.hookctl(&["init"]).ok();
    let text = repo.read("hookctl.toml");
    assert!(text.contains("run = \"tsc --noEmit\""), "{text}");
    assert!(
        text.contains("run = \"eslint --max-warnings=0 {files}\""),
        "{text}"
    );
    assert!(!text.contains("npx") && !text.contains("npm exec"), "{text}");

    let yarn = Repo::new();
    yarn.write("package.json", "{\"name\": \"y\"}\n")
        .write("yarn.lock", "\n")
        .write("tsconfig.json", "{}\n")
        .commit_all("init");
    yarn.hookctl(&["init"]).ok();
    assert!(yarn.read("hookctl.toml").contains("run = \"tsc --noEmit\""));

    let pnp = Repo::new();
    pnp.write(
        "package.json",
        "{\"name\": \"p\", \"packageManager\": \"yarn@4.5.0\"}\n",
    )
    .write("yarn.lock", "\n__metadata:\n  version: 8\n")
    .write("tsconfig.json", "{}\n")
    .commit_all("init");
    pnp.hookctl(&["init"]).ok();
    let text = pnp.read("hookctl.toml");
    assert!(text.contains("run = \"yarn tsc --noEmit\""), "{text}");
    assert!(text.contains("Plug'n'Play"), "{text}");
}
