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

    // The whole file as users get it: every package looked at (Next.js in apps/web, prettier in
    // packages/ui, tsconfig in both apps), no `npx`, no root `lint` (no root eslint config),
    // eslint by name (node_modules/.bin is on PATH), the clean build commented out, and
    // apps/web's local env file only.
    snapshot!(repo, "init_monorepo_toml", text);
    let mut jobs: Vec<(&str, &str, Option<&str>)> = c
        .hooks
        .iter()
        .flat_map(|(h, hc)| {
            hc.jobs
                .iter()
                .map(move |j| (h.as_str(), j.name.as_str(), j.root.as_deref()))
        })
        .collect();
    jobs.sort_unstable();
    assert_eq!(
        jobs,
        [
            ("pre-commit", "format", None),
            ("pre-commit", "lint-web", Some("apps/web")),
            ("pre-push", "types-api", Some("apps/api")),
            ("pre-push", "types-web", Some("apps/web")),
        ],
        "the file parses to these jobs"
    );

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
    let npm = repo.read("hookctl.toml");

    let yarn = Repo::new();
    yarn.write("package.json", "{\"name\": \"y\"}\n")
        .write("yarn.lock", "\n")
        .write("tsconfig.json", "{}\n")
        .commit_all("init");
    yarn.hookctl(&["init"]).ok();

    let pnp = Repo::new();
    pnp.write(
        "package.json",
        "{\"name\": \"p\", \"packageManager\": \"yarn@4.5.0\"}\n",
    )
    .write("yarn.lock", "\n__metadata:\n  version: 8\n")
    .write("tsconfig.json", "{}\n")
    .commit_all("init");
    pnp.hookctl(&["init"]).ok();
    // `tsc --noEmit` and `eslint ... {files}` by name with npm and yarn 1 (no `npx`, no
    // `npm exec`); `yarn tsc --noEmit` under Plug'n'Play, with the reason.
    let text = format!(
        "# npm workspaces\n{npm}\n# yarn 1\n{}\n# yarn 4, Plug'n'Play\n{}",
        yarn.read("hookctl.toml"),
        pnp.read("hookctl.toml")
    );
    snapshot!(repo, "init_tools_by_name", text);
}
