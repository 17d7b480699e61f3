//! Which files are not runtime code: tests, stories, scripts, fixtures and tool configs
//! (`[deps] dev_globs`). `deps/dev-only-at-runtime` lets them import `devDependencies`; the env
//! rules report their undeclared reads as warnings (no deploy runs them), except in the
//! configs a deploy's build does run (`next.config.*`, `vite.config.*`, ...).

use crate::config::Config;
use crate::config::pattern::LooseGlobList;
use crate::snapshot::Snapshot;

/// `[deps] dev_globs`: the configured list as compiled when the configuration was read, or
/// the default list, compiled on the first question (most runs ask none: 0.4 ms of a warm
/// 20k-file check went to compiling globs nothing matched against).
pub struct DevGlobs<'a>(&'a Config);

impl DevGlobs<'_> {
    pub fn new(config: &Config) -> DevGlobs<'_> {
        DevGlobs(config)
    }

    fn list(&self) -> &LooseGlobList {
        self.0.deps.dev_globs()
    }

    /// Is this file test/story/config/script code: its path inside its package folder, or its
    /// repository path, matches a glob.
    pub fn matches(&self, path: &str, package_dir: &str) -> bool {
        let inner = if package_dir.is_empty() {
            path
        } else {
            path.strip_prefix(package_dir)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(path)
        };
        let list = self.list();
        list.is_match(inner) || list.is_match(path)
    }

    /// Is the file at `path` one no deploy runs, for the env rules: it matches a dev glob (inside
    /// the folder of its nearest package.json, or as a repository path) and is not the config
    /// of a tool that a deploy's build runs ([`is_build_config`]).
    pub fn is_env_dev_file(&self, snap: &Snapshot, path: &str) -> bool {
        if is_build_config(path) {
            return false;
        }
        let mut dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let package_dir = loop {
            if dir.is_empty() || snap.get(&format!("{dir}/package.json")).is_some() {
                break dir;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        };
        self.matches(path, package_dir)
    }
}

/// Tools whose configs (`<tool>.config.*`, `.<tool>rc.*`) run only in tests, linting or
/// formatting, never in a deploy's build.
const DEV_TOOLS: &[&str] = &[
    "eslint",
    "vitest",
    "vitest.workspace",
    "jest",
    "playwright",
    "cypress",
    "prettier",
    "stylelint",
    "commitlint",
    "lint-staged",
    "knip",
    "ava",
    "mocha",
    "karma",
    "wdio",
    "c8",
    "nyc",
    "storybook",
];

/// A tool config (`*.config.*`, `.*rc.*`) that is not one of [`DEV_TOOLS`]': `next.config.ts`,
/// `vite.config.ts`, `trigger.config.ts` run in the deploy's build (or its runtime), so a
/// required read there breaks it — even though `[deps] dev_globs` lists `**/*.config.*` (their
/// imports of `devDependencies` are fine: the build has them).
pub fn is_build_config(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let tool = if let Some((tool, _)) = file.split_once(".config.") {
        tool
    } else if let Some(rest) = file.strip_prefix('.')
        && let Some((tool, _)) = rest.split_once("rc.")
    {
        tool
    } else {
        return false;
    };
    let tool = tool.trim_start_matches('.');
    !DEV_TOOLS.contains(&tool)
}

/// The scripts of a package.json that a deploy runs: these, and the scripts they run.
const DEPLOY_SCRIPTS: &[&str] = &[
    "build",
    "prebuild",
    "postbuild",
    "start",
    "prestart",
    "poststart",
    "serve",
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "vercel-build",
    "heroku-postbuild",
    "heroku-prebuild",
];

const SCRIPT_EXTENSIONS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"];

/// Files (repo paths) that a package.json's scripts run by path (`tsx ./scripts/pull.ts`) from
/// tool scripts no deploy runs (trpc's `sponsors-sync:pull`), and never from one it does
/// (`build`, `start`, what they run) or from a dev server's (`dev`, `start:*`, `serve`, `watch`,
/// `preview`: they run the app's own entry). `manifests`: (package folder, package.json text).
/// Also the files a CI workflow's steps run by path (`.github/workflows/*.yml`, `run: npx tsx
/// ./build/publish-release.ts`: ngrx's release script, whose names the step's `env:` sets): CI
/// runs them, not the deploy. `workflows`: their texts (steps run at the repository root).
pub fn files_run_only_by_dev_scripts(
    manifests: &[(String, Vec<u8>)],
    workflows: &[Vec<u8>],
) -> std::collections::HashSet<String> {
    let mut dev = std::collections::HashSet::new();
    let mut deploy = std::collections::HashSet::new();
    for text in workflows {
        let text = String::from_utf8_lossy(text);
        for line in text.lines() {
            let line = line.trim_start().trim_start_matches("- ").trim_start();
            // `#` comments, and the values of keys other than `run:` on their own line.
            if line.starts_with('#') || (!line.starts_with("run:") && line.contains(": ")) {
                continue;
            }
            for word in words(line.trim_start_matches("run:")) {
                if SCRIPT_EXTENSIONS.iter().any(|e| word.ends_with(e))
                    && !word.contains("://")
                    && !word.contains("${{")
                {
                    let path = crate::bundler::eval::join("", word);
                    if !path.starts_with("../") {
                        dev.insert(path);
                    }
                }
            }
        }
    }
    for (dir, text) in manifests {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(text) else {
            continue;
        };
        let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else {
            continue;
        };
        // The scripts a deploy runs: the roots, and every script a run script names.
        let mut run: std::collections::HashSet<&str> = DEPLOY_SCRIPTS
            .iter()
            .copied()
            .filter(|n| scripts.contains_key(*n))
            .collect();
        let mut todo: Vec<&str> = run.iter().copied().collect();
        while let Some(name) = todo.pop() {
            let Some(cmd) = scripts.get(name).and_then(|v| v.as_str()) else {
                continue;
            };
            for word in words(cmd) {
                if let Some((k, _)) = scripts.get_key_value(word)
                    && run.insert(k.as_str())
                {
                    todo.push(k.as_str());
                }
            }
        }
        for (name, cmd) in scripts {
            let Some(cmd) = cmd.as_str() else { continue };
            // A dev server or preview runs the app's own entry (`tsx watch src/index.ts` while
            // `start` runs the build): not a tool script.
            let runs_the_app = ["dev", "start", "serve", "watch", "preview", "prod"]
                .iter()
                .any(|p| name.starts_with(p));
            if runs_the_app && !run.contains(name.as_str()) {
                continue;
            }
            for word in words(cmd) {
                if !SCRIPT_EXTENSIONS.iter().any(|e| word.ends_with(e)) || word.contains("://") {
                    continue;
                }
                let path = crate::bundler::eval::join(dir, word);
                if path.starts_with("../") {
                    continue;
                }
                if run.contains(name.as_str()) {
                    deploy.insert(path);
                } else {
                    dev.insert(path);
                }
            }
        }
    }
    dev.retain(|p| !deploy.contains(p));
    dev
}

/// The words of a shell command, split at blanks, quotes, `=` and `&&`/`;`/`|`.
fn words(cmd: &str) -> impl Iterator<Item = &str> {
    cmd.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ';' | '&' | '|' | '(' | ')'))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_dev_scripts() {
        let manifests = vec![
            (
                "www".to_string(),
                br#"{"scripts": {"build": "npm run gen && next build", "gen": "tsx ./scripts/gen.ts", "sponsors": "tsx ./src/sponsors/script.pull.ts", "both": "node scripts/gen.ts"}}"#.to_vec(),
            ),
            (
                String::new(),
                br#"{"scripts": {"dev:serve": "NODE_OPTIONS=\"--import ./mocks/index.js\" remix-serve ./build/index.js", "start": "remix-serve ./build/index.js"}}"#.to_vec(),
            ),
        ];
        let mut got: Vec<String> = files_run_only_by_dev_scripts(&manifests, &[])
            .into_iter()
            .collect();
        got.sort();
        assert_eq!(got, ["www/src/sponsors/script.pull.ts"]);
        // A CI workflow's steps: the file a `run:` names (one line or a block), not the values
        // of other keys, and not a file a deploy script runs too.
        let workflow = b"jobs:\n  release:\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          cache-dependency-path: tools/lock.ts\n      - name: Release\n        env:\n          RELEASE_TAG: ${{ inputs.tag }}\n        run: npx tsx ./build/publish-release.ts\n      - run: |\n          node scripts/notify.mjs --dry\n          node www/scripts/gen.ts\n".to_vec();
        let mut got: Vec<String> = files_run_only_by_dev_scripts(&manifests, &[workflow])
            .into_iter()
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                "build/publish-release.ts",
                "scripts/notify.mjs",
                "www/src/sponsors/script.pull.ts"
            ]
        );
    }

    #[test]
    fn build_configs() {
        for p in [
            "next.config.ts",
            "apps/web/vite.config.mts",
            "packages/jobs/trigger.config.ts",
            "astro.config.mjs",
            ".babelrc.js",
        ] {
            assert!(is_build_config(p), "{p}");
        }
        for p in [
            "eslint.config.mjs",
            "packages/a/vitest.config.ts",
            "vitest.workspace.config.ts",
            "playwright.config.ts",
            "jest.config.js",
            ".eslintrc.cjs",
            "src/config.ts",
            "src/app.config/index.ts",
        ] {
            assert!(!is_build_config(p), "{p}");
        }
    }
}
