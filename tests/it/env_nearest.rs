//! `hookctl env check` and `env diff` with nearest wins: `--package P` (or `--here` inside its
//! folder) judges an environment by the declaration files nearest P's folder and the root's,
//! and by P's `[env]` merged over the root's, as the checks judge P's code's reads. Without
//! it, the root's alone, as before. Each case has its twin: the root's verdict on the same
//! environment.

use std::fmt::Write as _;

use crate::common::*;

/// Root: `.env.example` declares `ROOT_KEY`, `[env.vars.API_TOKEN]` wants 16 characters.
/// `packages/web` declares `WEB_KEY` in its own `.env.example`, wants `WEB_MODE` one of two
/// values and allows `WEB_EXTRA`; `packages/api` has no declarations of its own (the root's apply).
fn monorepo() -> Repo {
    let r = workspace(&["packages/*"]);
    r.write(".env.example", "ROOT_KEY=\n")
        .write("hookctl.toml", "[env.vars.API_TOKEN]\nmin_length = 16\n")
        .package("packages/web", "@acme/web", None)
        .write("packages/web/.env.example", "WEB_KEY=\nWEB_MODE=\n")
        .write(
            "packages/web/hookctl.toml",
            "[env]\nallow = [\"WEB_EXTRA\"]\n\n[env.vars.WEB_MODE]\none_of = [\"static\", \"server\"]\n",
        )
        .package("packages/api", "@acme/api", None)
        // The environment web is deployed with: the root's name, web.s mode (not one of them), a short
        // token, and two names no root declaration knows.
        .write(
            "web.env",
            "ROOT_KEY=x\nWEB_MODE=edge\nAPI_TOKEN=short\nWEB_EXTRA=1\nSTRAY=1\n",
        );
    r.commit_all("init");
    r
}

#[test]
fn env_check_and_diff_judge_a_package_by_its_nearest_declarations() {
    let r = monorepo();
    let mut text = String::new();
    let cases: &[&[&str]] = &[
        &["env", "check", "--env-file", "web.env", "--package", "@acme/web"],
        // The twin: the root's declarations and rules.
        &["env", "check", "--env-file", "web.env"],
        // A package without declarations of its own: the root's apply.
        &[
            "env",
            "check",
            "--env-file",
            "web.env",
            "--package",
            "packages/api",
        ],
        &["env", "diff", "--against", "web.env", "--package", "@acme/web"],
        &["env", "diff", "--against", "web.env"],
    ];
    for args in cases {
        let run = r.hookctl(args);
        let _ = writeln!(text, "$ hookctl {}\n{}", args.join(" "), scrub(&r, &run.shown()));
    }
    snapshot!(r, "env_nearest_package", text);
}

/// `--here` from inside the package's folder is `--package` of that package; an unknown
/// package is a usage error naming the closest one.
#[test]
fn env_check_here_is_the_package_holding_the_current_directory() {
    let r = monorepo();
    std::fs::create_dir_all(r.root.join("packages/web/src")).unwrap();
    let args = ["env", "check", "--env-file", "../../../web.env", "--here"];
    let here = r.hookctl_in(&r.root.join("packages/web/src"), &args, None);
    let named = r.hookctl(&["env", "check", "--env-file", "web.env", "--package", "@acme/web"]);
    assert_eq!(here.code, 1, "{}", here.all());
    // The same findings (listed in another order: the paths differ), the same summary.
    let lines = |text: &str| {
        let mut v: Vec<String> = text
            .replace("../../../web.env", "web.env")
            .lines()
            .map(|l| l.split(" in ").next().unwrap_or(l).to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(lines(&here.stdout), lines(&named.stdout), "{}", here.all());
    here.contains("WEB_KEY");
    let unknown = r.hookctl(&["env", "check", "--env-file", "web.env", "--package", "@acme/wbe"]);
    assert_eq!(unknown.code, 2, "{}", unknown.all());
    cmd_snapshot!(r, "env_nearest_unknown_package", unknown);
}
