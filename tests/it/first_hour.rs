//! The first hour of a JS team (issue 21): hooks that run the npm package's native binary and
//! follow it when it moves, jobs that find the project's tools in `node_modules/.bin`, every
//! configured hook installed (also in a teammate's clone, the way `prepare` does it), and a
//! husky + lint-staged migration that finishes the job and commits through the migrated jobs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::common::*;

fn write_exec(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A stand-in for a native hookctl at `path`: notes `tag` in `log`, then runs this build.
fn fake_native(path: &Path, tag: &str, log: &Path) {
    write_exec(
        path,
        &format!(
            "#!/bin/sh\necho {tag} >> '{}'\nexec '{BIN}' \"$@\"\n",
            log.display()
        ),
    );
}

/// `git commit` with exactly this PATH (no hookctl on it unless given).
fn commit_with_path(repo: &Repo, path: &str, msg: &str) -> Run {
    let mut c: Command = git_cmd(&repo.root);
    c.env("PATH", path).args(["commit", "-q", "-m", msg]);
    run_with_stdin(c, None)
}

fn log_lines(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The hook execs the platform package's binary beside `node_modules/hookctl` (never Node),
/// follows it to a pnpm store path after a new install without `hookctl install` again, and
/// falls back to the recorded binary, then the Node launcher, when it is gone.
#[test]
fn hook_runs_the_npm_packages_native_binary_and_follows_it() {
    let Some((platform, binary)) = npm_platform() else {
        return;
    };
    let repo = Repo::new();
    repo.write("a.txt", "a\n").commit_all("init");
    let log = repo.sibling("ran.log");
    // A `node` that notes it was started, then behaves as the launcher would.
    let fake_bin = repo.sibling("fakebin");
    write_exec(
        &fake_bin.join("node"),
        &format!(
            "#!/bin/sh\necho node >> '{}'\nshift\nexec '{BIN}' \"$@\"\n",
            log.display()
        ),
    );
    let path = format!("{}:/usr/bin:/bin", fake_bin.display());
    // npm's layout: node_modules/hookctl (the launcher) and the platform package beside it.
    repo.write("node_modules/hookctl/package.json", "{\"name\": \"hookctl\"}\n");
    write_exec(
        &repo.path("node_modules/hookctl/bin/hookctl.js"),
        "#!/usr/bin/env node\n",
    );
    std::fs::create_dir_all(repo.path("node_modules/.bin")).unwrap();
    std::os::unix::fs::symlink(
        "../hookctl/bin/hookctl.js",
        repo.path("node_modules/.bin/hookctl"),
    )
    .unwrap();
    fake_native(
        &repo.path(&format!("node_modules/{platform}/{binary}")),
        "npm-1",
        &log,
    );
    repo.write(".gitignore", "node_modules/\n");
    repo.hookctl(&["install"]).ok();
    repo.write("a.txt", "b\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "npm").ok();
    assert_eq!(log_lines(&log), ["npm-1"], "the native binary, without Node");

    // `pnpm install` of a new version: node_modules/hookctl is a link into .pnpm, and the
    // platform package a link beside the launcher's real folder.
    std::fs::remove_dir_all(repo.path("node_modules")).unwrap();
    let store = ".pnpm/hookctl@2.0.0/node_modules";
    let plat_store = format!(
        ".pnpm/{}@2.0.0/node_modules/{platform}",
        platform.replace('/', "+")
    );
    repo.write(
        &format!("node_modules/{store}/hookctl/package.json"),
        "{\"name\": \"hookctl\"}\n",
    );
    fake_native(
        &repo.path(&format!("node_modules/{plat_store}/{binary}")),
        "pnpm-2",
        &log,
    );
    std::fs::create_dir_all(repo.path(&format!("node_modules/{store}/@hookctl"))).unwrap();
    std::os::unix::fs::symlink(
        format!("../../../../{plat_store}"),
        repo.path(&format!("node_modules/{store}/{platform}")),
    )
    .unwrap();
    std::os::unix::fs::symlink(format!("{store}/hookctl"), repo.path("node_modules/hookctl")).unwrap();
    repo.write("a.txt", "c\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "pnpm").ok();
    assert_eq!(log_lines(&log), ["npm-1", "pnpm-2"], "followed to the store");

    // No npm package any more: the binary `hookctl install` recorded.
    std::fs::remove_dir_all(repo.path("node_modules")).unwrap();
    repo.write("a.txt", "d\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "recorded").ok();
    assert_eq!(log_lines(&log), ["npm-1", "pnpm-2"]);

    // Neither: the Node launcher in node_modules/.bin, when node is on PATH.
    let hook = repo.path(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    let line = text.lines().find(|l| l.starts_with("hookctl_bin=")).unwrap();
    std::fs::write(&hook, text.replace(line, "hookctl_bin='/nonexistent/hookctl'")).unwrap();
    write_exec(&repo.path("node_modules/.bin/hookctl"), "#!/usr/bin/env node\n");
    repo.write("a.txt", "e\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "launcher").ok();
    assert_eq!(log_lines(&log), ["npm-1", "pnpm-2", "node"]);
}

/// A job finds the project's tools in `node_modules/.bin`, the nearest folder's first, with a
/// PATH that has nothing else (a GUI git client's).
#[test]
fn jobs_find_the_nearest_node_modules_bin() {
    let repo = Repo::new();
    let log = repo.sibling("tools.log");
    let tool = |rel: &str, tag: &str| {
        write_exec(
            &repo.path(rel),
            &format!("#!/bin/sh\necho \"{tag} $*\" >> '{}'\n", log.display()),
        );
    };
    tool("node_modules/.bin/mytool", "root");
    tool("apps/web/node_modules/.bin/mytool", "web");
    repo.write(".gitignore", "node_modules/\n")
        .write("apps/web/a.ts", "export const a = 1;\n")
        .write("b.ts", "export const b = 1;\n")
        .write(
            "hookctl.toml",
            "[[pre-commit.jobs]]\nname = \"web\"\nroot = \"apps/web\"\nrun = \"mytool {files}\"\nglob = \"*.ts\"\n\n\
             [[pre-commit.jobs]]\nname = \"all\"\nrun = \"mytool {files}\"\nglob = \"*.ts\"\n",
        )
        .commit_all("init");
    repo.hookctl(&["install"]).ok();
    repo.write("apps/web/a.ts", "export const a = 2;\n")
        .write("b.ts", "export const b = 2;\n")
        .add(&["apps/web/a.ts", "b.ts"]);
    commit_with_path(&repo, "/usr/bin:/bin", "x").ok();
    let mut lines = log_lines(&log);
    lines.sort();
    assert_eq!(lines, ["root apps/web/a.ts b.ts", "web a.ts"]);
}

/// Stand-ins for eslint, prettier and commitlint in `node_modules/.bin`: they note their
/// arguments in `<repo>/../tools.log`; eslint fails on a file holding `BAD`, commitlint on a
/// message that is not `feat:`/`fix:`.
fn js_tools(repo: &Repo) {
    let log = repo.sibling("tools.log");
    let log = log.display();
    write_exec(
        &repo.path("node_modules/.bin/eslint"),
        &format!(
            "#!/bin/sh\necho \"eslint $*\" >> '{log}'\nfor f; do case \"$f\" in -*) ;; *) if grep -q BAD \"$f\"; then echo \"$f: BAD\"; exit 1; fi ;; esac; done\n"
        ),
    );
    write_exec(
        &repo.path("node_modules/.bin/prettier"),
        &format!("#!/bin/sh\necho \"prettier $*\" >> '{log}'\n"),
    );
    write_exec(
        &repo.path("node_modules/.bin/commitlint"),
        &format!(
            "#!/bin/sh\necho \"commitlint $*\" >> '{log}'\nhead -n 1 \"$2\" | grep -Eq '^(feat|fix): ' || {{ echo 'subject must start with feat: or fix:'; exit 1; }}\n"
        ),
    );
}

/// hookctl as the npm package installs it: `node_modules/hookctl` beside its platform
/// package, whose "binary" runs this build (and notes `npm` in `<repo>/../ran.log`).
fn npm_hookctl(repo: &Repo) {
    let Some((platform, binary)) = npm_platform() else {
        return;
    };
    repo.write(
        "node_modules/hookctl/package.json",
        "{\"name\": \"hookctl\", \"version\": \"0.1.0\"}\n",
    );
    let native = repo.path(&format!("node_modules/{platform}/{binary}"));
    fake_native(&native, "npm", &repo.sibling("ran.log"));
    // What `npm install` links: the launcher; here straight to the native stand-in.
    std::fs::create_dir_all(repo.path("node_modules/.bin")).unwrap();
    std::os::unix::fs::symlink(&native, repo.path("node_modules/.bin/hookctl")).unwrap();
}

const HUSKY_PACKAGE: &str = r#"{
  "name": "app",
  "private": true,
  "scripts": {
    "prepare": "husky",
    "lint": "eslint ."
  },
  "devDependencies": {
    "@commitlint/cli": "^19.0.0",
    "eslint": "^9.0.0",
    "hookctl": "^0.1.0",
    "husky": "^9.0.0",
    "lint-staged": "^15.0.0",
    "prettier": "^3.0.0"
  },
  "lint-staged": {
    "*.ts": ["eslint --fix", "prettier --write"],
    "*.md": "prettier --write"
  }
}
"#;

/// A husky 9 + lint-staged + commitlint repository of a pnpm team, as it is before hookctl.
fn husky_repo() -> Repo {
    let repo = Repo::new();
    repo.write("package.json", HUSKY_PACKAGE)
        .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
        .write(".husky/pre-commit", "npx lint-staged\n")
        .write(".husky/commit-msg", "npx --no -- commitlint --edit \"$1\"\n")
        .write(
            ".husky/_/pre-commit",
            "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n",
        )
        .write(".husky/_/.gitignore", "*\n")
        .write(".gitignore", "node_modules/\n")
        .write("src/a.ts", "export const a = 1;\n")
        .write("README.md", "# app\n")
        .commit_all("init");
    repo.git(&["config", "core.hooksPath", ".husky/_"]).ok();
    js_tools(&repo);
    npm_hookctl(&repo);
    repo
}

#[test]
fn migrate_yes_finishes_the_job_and_commits_through_the_migrated_jobs() {
    let repo = husky_repo();
    let run = repo.hookctl(&["migrate", "--yes"]);
    run.ok();
    snapshot!(repo, "first_hour_migrate_yes", scrub(&repo, &run.stderr));
    snapshot!(repo, "first_hour_migrated_toml", repo.read("hookctl.toml"));
    // package.json: husky's prepare replaced, the rest byte for byte.
    assert_eq!(
        repo.read("package.json"),
        HUSKY_PACKAGE.replace(
            "\"prepare\": \"husky\"",
            "\"prepare\": \"hookctl install || exit 0\""
        )
    );
    assert_eq!(repo.git(&["config", "--get", "core.hooksPath"]).code, 1);
    for hook in ["pre-commit", "commit-msg", "pre-push"] {
        assert!(
            repo.read(&format!(".git/hooks/{hook}"))
                .contains("hookctl-managed-hook"),
            "{hook}"
        );
    }
    // A commit from a client with a bare PATH (no node, no hookctl): the jobs run the
    // project's eslint and prettier, the commit-msg job its commitlint.
    repo.write("src/a.ts", "export const a = 2;\n")
        .write("README.md", "# app!\n")
        .add(&["src/a.ts", "README.md"]);
    let run = commit_with_path(&repo, "/usr/bin:/bin", "feat: two");
    run.ok();
    let log = log_lines(&repo.sibling("tools.log"));
    assert_eq!(
        log,
        [
            "eslint --fix src/a.ts",
            "prettier --write src/a.ts",
            "prettier --write README.md",
            "commitlint --edit .git/COMMIT_EDITMSG"
        ]
    );
    if hookctl::install::npm_platform_package().is_some() {
        assert_eq!(
            log_lines(&repo.sibling("ran.log")),
            ["npm", "npm"],
            "both hooks ran the npm package's binary"
        );
    }
    // The migrated jobs block what husky blocked.
    repo.write("src/a.ts", "export const a = 3; // BAD\n")
        .add(&["src/a.ts"]);
    // Jobs run at the same time: shown in any order.
    snapshot!(
        repo,
        "first_hour_migrate_yes_finishes_the_job_and_commits_through_the_migrated_jobs_1",
        jobs_sorted(&commit_with_path(&repo, "/usr/bin:/bin", "feat: three").shown())
    );
    repo.write("src/a.ts", "export const a = 3;\n").add(&["src/a.ts"]);
    // Jobs run at the same time: shown in any order.
    snapshot!(
        repo,
        "first_hour_migrate_yes_finishes_the_job_and_commits_through_the_migrated_jobs_2",
        jobs_sorted(&commit_with_path(&repo, "/usr/bin:/bin", "three").shown())
    );
}

/// A teammate clones the migrated repository and installs the way `prepare` does (the
/// package manager runs the script with `node_modules/.bin` on PATH): every configured hook
/// is there, and the migrated jobs pass.
#[test]
fn a_teammates_clone_gets_every_configured_hook_and_the_jobs_pass() {
    let repo = husky_repo();
    repo.hookctl(&["migrate", "--yes"]).ok();
    repo.commit_all("hookctl");
    let bare = repo.bare_remote();
    repo.git(&["push", "-q", "--no-verify", "origin", "main"]).ok();

    let clone_dir = repo.sibling("teammate");
    Run::from_output(
        git_cmd(repo.root.parent().unwrap())
            .args(["clone", "-q", bare.to_str().unwrap(), "teammate"])
            .output()
            .unwrap(),
    )
    .ok();
    let mate = Repo::at(clone_dir);
    assert_eq!(mate.git(&["config", "--get", "core.hooksPath"]).code, 1);
    // `pnpm install`: the packages, then the `prepare` script.
    js_tools(&mate);
    npm_hookctl(&mate);
    let manifest: serde_json::Value = serde_json::from_str(&mate.read("package.json")).unwrap();
    let prepare = manifest["scripts"]["prepare"].as_str().unwrap();
    let mut c = Command::new("sh");
    c.arg("-c").arg(prepare).current_dir(&mate.root).env(
        "PATH",
        format!("{}:/usr/bin:/bin", mate.path("node_modules/.bin").display()),
    );
    for v in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "CI", "HOOKCTL"] {
        c.env_remove(v);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    let run = run_with_stdin(c, None);
    run.ok();
    snapshot!(mate, "first_hour_teammate_prepare", scrub(&mate, &run.stderr));
    mate.hookctl_env(&["doctor", "-q"], &[("PATH", "/usr/bin:/bin")], None)
        .ok();
    mate.write("src/a.ts", "export const a = 5;\n").add(&["src/a.ts"]);
    commit_with_path(&mate, "/usr/bin:/bin", "fix: five").ok();
    mate.write("src/a.ts", "export const a = 6;\n").add(&["src/a.ts"]);
    // Jobs run at the same time: shown in any order.
    snapshot!(
        repo,
        "first_hour_a_teammates_clone_gets_every_configured_hook_and_the_jobs_pass",
        jobs_sorted(&commit_with_path(&mate, "/usr/bin:/bin", "no convention").shown())
    );
}

/// `init` where husky owns the hooks points to migrate (and writes nothing); in a pnpm
/// repository with hookctl as a dependency its messages name pnpm's commands.
#[test]
fn init_points_to_migrate_and_names_the_package_manager() {
    let repo = husky_repo();
    let run = repo.hookctl(&["init"]);
    run.code(2);
    snapshot!(repo, "first_hour_init_in_husky_repo", scrub(&repo, &run.stderr));
    assert!(!repo.path("hookctl.toml").exists());

    let pnpm = Repo::new();
    pnpm.write(
        "package.json",
        "{\n  \"name\": \"app\",\n  \"devDependencies\": {\"hookctl\": \"^0.1.0\"}\n}\n",
    )
    .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    .write("tsconfig.json", "{}\n")
    .commit_all("init");
    let run = pnpm.hookctl_env(&["init"], &[("PATH", "/usr/bin:/bin")], None);
    run.ok();
    snapshot!(pnpm, "first_hour_init_pnpm", scrub(&pnpm, &run.stderr));
    // --preset on the existing file appends, and says so.
    let run = pnpm.hookctl_env(
        &["init", "--preset", "pre-deploy"],
        &[("PATH", "/usr/bin:/bin")],
        None,
    );
    run.ok();
    snapshot!(pnpm, "first_hour_init_preset_appended", scrub(&pnpm, &run.stderr));
}

/// The words of a passing run: what was checked ("2 staged files checked", also when they
/// are not source files), `check --new` counting what `check` counts, a passing job's long log
/// cut to its last lines, `run --help` explaining `--to-ref`.
#[test]
fn a_passing_commit_says_what_was_checked() {
    let repo = Repo::new();
    repo.write("a.ts", "export const a = 1;\n")
        .write("b.ts", "export const b = 1;\n")
        .write("README.md", "# r\n")
        .write(
            "hookctl.toml",
            "[[pre-commit.jobs]]\nname = \"build\"\nrun = \"seq 1 40\"\n",
        )
        .commit_all("init");
    repo.hookctl(&["install"]).ok();
    repo.write("README.md", "# r!\n")
        .write("a.ts", "export const a = 2;\n")
        .add(&["README.md", "a.ts"]);
    // A UTF-8 locale: the marks (✔, │) do not depend on the machine's.
    let mut c = git_cmd(&repo.root);
    c.env("PATH", Repo::path_with_bin())
        .env("LC_ALL", "C.UTF-8")
        .args(["commit", "-q", "-m", "x"]);
    let run = run_with_stdin(c, None);
    run.ok();
    let text = regex::Regex::new(r"\d+\.\d+s|\d+ ms")
        .unwrap()
        .replace_all(&run.stderr, "[TIME]");
    snapshot!(repo, "first_hour_passing_commit", text);
    let full = repo.hookctl(&["check"]);
    let new = repo.hookctl(&["check", "--new"]);
    let count = |s: &str| {
        s.split(" checked")
            .next()
            .unwrap()
            .rsplit(' ')
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(count(&full.stdout), "2", "{}", full.stdout);
    assert_eq!(count(&new.stdout), count(&full.stdout), "{}", new.stdout);
    let help = repo.hookctl(&["run", "--help"]);
    let to_ref = help
        .stdout
        .lines()
        .skip_while(|l| !l.contains("--to-ref"))
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    snapshot!(repo, "first_hour_run_help_to_ref", to_ref);
}

/// The pre-deploy preset runs `next lint` only where an `ESLint` config exists: without one,
/// `next lint` asks interactively how to set `ESLint` up, which a job cannot answer.
#[test]
fn pre_deploy_preset_writes_next_lint_only_with_an_eslint_config() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        r#"{"name": "web", "scripts": {"build": "next build", "lint": "next lint"}, "dependencies": {"next": "15.0.0"}}"#,
    )
    .write("package-lock.json", "{}\n")
    .commit_all("init");
    repo.hookctl(&["init", "--preset", "pre-deploy"]).ok();
    let text = repo.read("hookctl.toml");
    let deploy = &text[text.find("[pre-deploy]").unwrap()..];
    assert!(!deploy.contains("npm run lint"), "{deploy}");
    let why: String = deploy
        .lines()
        .skip_while(|l| !l.contains("No lint job"))
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    snapshot!(repo, "first_hour_preset_next_lint_without_eslint", why);

    repo.write("eslint.config.mjs", "export default [];\n");
    repo.hookctl(&["init", "--preset", "pre-deploy", "--force"]).ok();
    let text = repo.read("hookctl.toml");
    let c = hookctl::config::parse(Path::new("hookctl.toml"), &text).unwrap();
    let lint = c.hooks["pre-deploy"]
        .jobs
        .iter()
        .find(|j| j.name == "lint")
        .unwrap();
    assert_eq!(lint.run, "npm run lint");
}

/// This platform's npm package (`@hookctl/cli-<os>-<arch>`) and its binary's name; none on a
/// platform hookctl publishes no package for (CI's platforms all have one).
fn npm_platform() -> Option<(&'static str, &'static str)> {
    prerequisite(
        hookctl::install::npm_platform_package(),
        "HOOKCTL_REQUIRE_NPM_PLATFORM",
        "hookctl publishes no npm platform package for this platform",
    )
}
