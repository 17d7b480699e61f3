//! Hooks over a ref range: `post-merge`, `post-checkout`, `post-rewrite` and `pre-rebase`
//! jobs get the files changed between the refs git passes (`{changed_files}`), through real
//! `git merge`, `git checkout`, `git rebase` and `git commit --amend` with hook shims.

use crate::common::*;

/// The two use cases: a changed lockfile means an install, a new migration is announced.
const JOBS: &str = r#"
[{hook}]
parallel = false

[[{hook}.jobs]]
name = "install"
run = "echo install because {changed_files} changed"
glob = ["package-lock.json", "pnpm-lock.yaml"]

[[{hook}.jobs]]
name = "migrations"
run = "echo new migration: {changed_files}"
glob = "db/migrations/*.sql"

[[{hook}.jobs]]
name = "web"
run = "echo web files: {changed_files}"
root = "apps/web"
"#;

fn repo(hooks: &[&str]) -> Repo {
    let r = Repo::new();
    let config: String = hooks.iter().map(|h| JOBS.replace("{hook}", h)).collect();
    r.write("hookctl.toml", config)
        .write("package.json", "{}\n")
        .write("package-lock.json", "{\"v\":1}\n")
        .write("db/migrations/001_init.sql", "create table a();\n")
        .write("apps/web/index.ts", "export {};\n")
        .write("README.md", "hi\n")
        .commit_all("init");
    for h in hooks {
        r.install_shim(h);
    }
    r
}

/// git with hooks: this build on PATH, the C locale, quiet output.
fn git(r: &Repo, args: &[&str]) -> Run {
    let mut c = git_cmd(&r.root);
    c.env("PATH", Repo::path_with_bin()).env("LC_ALL", "C").args(args);
    Run::from_output(c.output().unwrap())
}

/// `git checkout -q -b <branch>`, commit `files` there, and back to main (hooks not installed
/// yet or not run: `--no-verify` where it exists and `-c core.hooksPath=/dev/null`).
fn branch_with(r: &Repo, branch: &str, files: &[(&str, &str)]) {
    r.git(&["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-b", branch])
        .ok();
    for (path, text) in files {
        r.write(path, text);
    }
    r.commit_all(branch);
    r.git(&["-c", "core.hooksPath=/dev/null", "checkout", "-q", "main"])
        .ok();
}

#[test]
fn post_merge_installs_when_the_lockfile_changed_and_names_new_migrations() {
    let r = repo(&["post-merge"]);
    branch_with(
        &r,
        "deps",
        &[
            ("package-lock.json", "{\"v\":2}\n"),
            ("db/migrations/002_users.sql", "create table users();\n"),
            ("apps/web/page.ts", "export {};\n"),
        ],
    );
    branch_with(&r, "docs", &[("README.md", "more\n")]);
    let deps = git(&r, &["merge", "-q", "--no-edit", "deps"]);
    // A real merge commit (not a fast-forward), which changes only the README.
    let docs = git(&r, &["merge", "-q", "--no-ff", "--no-edit", "docs"]);
    let text = format!(
        "## git merge deps (fast-forward)\n{}## git merge --no-ff docs: nothing matched\n{}",
        deps.ok().stderr,
        docs.ok().stderr
    );
    snapshot!(r, "ref_hooks_post_merge", text);
}

#[test]
fn post_checkout_gets_the_branch_difference_and_ignores_file_checkouts() {
    let r = repo(&["post-checkout"]);
    branch_with(
        &r,
        "feature",
        &[
            ("pnpm-lock.yaml", "lockfileVersion: 9\n"),
            ("db/migrations/002_users.sql", "create table users();\n"),
        ],
    );
    let to_feature = git(&r, &["checkout", "-q", "feature"]);
    // Back: the migration and the lockfile are deleted, which no job is given.
    let back = git(&r, &["checkout", "-q", "main"]);
    // A file checkout (flag 0) runs nothing, even a job without a glob.
    r.write("apps/web/index.ts", "edited\n");
    let file = git(&r, &["checkout", "-q", "--", "apps/web/index.ts"]);
    let text = format!(
        "## git checkout feature\n{}## git checkout main\n{}## git checkout -- apps/web/index.ts\n{}",
        to_feature.ok().stderr,
        back.ok().stderr,
        file.ok().stderr
    );
    snapshot!(r, "ref_hooks_post_checkout", text);
}

#[test]
fn a_file_checkout_runs_when_the_hook_asks() {
    let r = repo(&[]);
    r.write(
        "hookctl.toml",
        "[post-checkout]\nfile_checkout = true\n[[post-checkout.jobs]]\nname = \"any\"\nrun = \"echo ran with flag {3}\"\n",
    )
    .commit_all("config");
    r.install_shim("post-checkout");
    // HEAD does not move: no file changed between the refs, so the job still has none.
    let run = git(&r, &["checkout", "-q", "--", "README.md"]);
    assert_eq!(run.ok().stderr, "", "nothing changed between HEAD and HEAD");
    let by_hand = run_with_stdin(
        isolated_hookctl(&r, &["run", "post-checkout", "HEAD~1", "HEAD", "0"]),
        None,
    );
    by_hand.ok().contains("ran with flag 0");
}

#[test]
fn post_rewrite_after_a_rebase_sees_what_the_rebase_brought_in() {
    let r = repo(&["post-rewrite", "pre-rebase"]);
    // main moves on with a new lockfile; `topic` has a migration of its own.
    r.git(&["checkout", "-q", "-b", "topic"]).ok();
    r.write("db/migrations/002_topic.sql", "create table t();\n")
        .commit_all("topic");
    r.git(&["checkout", "-q", "main"]).ok();
    r.write("package-lock.json", "{\"v\":3}\n").commit_all("deps");
    r.git(&["checkout", "-q", "topic"]).ok();
    let rebase = git(&r, &["rebase", "-q", "main"]);
    let text = format!("## git rebase main (on topic)\n{}", rebase.ok().stderr);
    snapshot!(r, "ref_hooks_rebase", text);
}

#[test]
fn post_rewrite_after_an_amend_sees_the_amended_files_only() {
    let r = repo(&["post-rewrite"]);
    r.write("db/migrations/002_a.sql", "create table a2();\n")
        .commit_all("migration");
    r.write("package-lock.json", "{\"v\":4}\n")
        .add(&["package-lock.json"]);
    let amend = git(&r, &["commit", "-q", "--amend", "--no-edit", "--no-verify"]);
    snapshot!(r, "ref_hooks_amend", amend.ok().stderr);
}

#[test]
fn changed_files_in_a_hand_run_and_a_clone_s_first_checkout() {
    let r = repo(&[]);
    r.write("hookctl.toml", JOBS.replace("{hook}", "post-checkout"))
        .commit_all("config");
    // git passes the null id as the old HEAD after a clone: every file of the new HEAD.
    let zero = "0".repeat(40);
    let run = run_with_stdin(
        isolated_hookctl(&r, &["run", "post-checkout", &zero, "HEAD", "1"]),
        None,
    );
    cmd_snapshot!(r, "ref_hooks_clone", run);
}

/// git checks out the new base at the start of a rebase and runs `post-checkout` for it:
/// `skip = "rebase"` keeps an install from running in the middle of one.
#[test]
fn post_checkout_inside_a_rebase_is_a_rebase() {
    let r = repo(&[]);
    r.write(
        "hookctl.toml",
        "[[post-checkout.jobs]]\nname = \"install\"\nrun = \"echo install\"\nglob = \"package-lock.json\"\nskip = \"rebase\"\n",
    )
    .commit_all("config");
    r.git(&["checkout", "-q", "-b", "topic"]).ok();
    r.write("notes.txt", "n\n").commit_all("topic");
    r.git(&["checkout", "-q", "main"]).ok();
    r.write("package-lock.json", "{\"v\":9}\n").commit_all("deps");
    r.install_shim("post-checkout");
    let checkout = git(&r, &["checkout", "-q", "topic"]);
    let rebase = git(&r, &["rebase", "-q", "main"]);
    let text = format!(
        "## git checkout topic\n{}## git rebase main\n{}",
        checkout.ok().stderr,
        rebase.ok().stderr
    );
    snapshot!(r, "ref_hooks_checkout_in_rebase", text);
}
