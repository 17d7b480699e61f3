//! `hookctl install --server`: the `pre-receive` hook of a bare repository, pushed to over
//! `file://` and over `git daemon` on loopback by real git, the checks reading the pushed
//! objects from git's quarantine.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;

/// A bare repository beside `r` (`server.git`) with hookctl's `pre-receive` hook, and `r`'s
/// remote `origin` pointing at it by `file://` URL.
fn server(r: &Repo) -> PathBuf {
    let bare = r.sibling("server.git");
    Run::from_output(
        git_cmd(r.root.parent().unwrap())
            .args(["init", "-q", "--bare", "-b", "main", "server.git"])
            .output()
            .unwrap(),
    )
    .ok();
    let install = r.hookctl_in(&bare, &["install", "--server"], None);
    install.ok();
    assert!(bare.join("hooks/pre-receive").is_file(), "{}", install.all());
    r.git(&["remote", "add", "origin", &format!("file://{}", s(&bare))])
        .ok();
    bare
}

/// What the pusher sees, made stable: git pads `remote:` lines with blanks, and the short
/// commit ids hookctl prints differ from run to run.
fn shown(run: &Run) -> Run {
    let re = regex::Regex::new(r"\b[0-9a-f]{10}\b").unwrap();
    let tidy = |t: &str| {
        let lines: Vec<String> = t
            .lines()
            .map(|l| re.replace_all(l.trim_end(), "[OID]").into_owned())
            .collect();
        let mut out = lines.join("\n");
        if t.ends_with('\n') {
            out.push('\n');
        }
        out
    };
    Run {
        code: run.code,
        stdout: tidy(&run.stdout),
        stderr: tidy(&run.stderr),
    }
}

fn server_ref(bare: &Path, name: &str) -> String {
    let out = git_cmd(bare)
        .args(["rev-parse", "-q", "--verify", name])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The postmortem fixture committed clean (every file added, the env var declared).
fn clean_app() -> Repo {
    let r = Repo::fixture("postmortem");
    r.write(".gitignore", "node_modules/\n.next/\n.env*.local\n");
    r.write(
        ".env.example",
        "NEXTAUTH_URL=http://localhost:3000\nNEXTAUTH_SECRET=\n",
    );
    r.commit_all("gallery");
    r
}

/// The postmortem commit: an import of a file that was never added, committed past the client
/// hooks (none are installed: the developer never ran `npm install`).
fn postmortem_commit(r: &Repo) {
    r.write(
        "app/gallery/extra.tsx",
        "import { crop } from '@/lib/utils/crop';\nexport const x = crop;\n",
    );
    r.write("lib/utils/crop.ts", "export const crop = 1;\n");
    r.add(&["app/gallery/extra.tsx"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "extra"]).ok();
}

#[test]
fn install_server_needs_a_bare_repository() {
    let r = Repo::new();
    cmd_snapshot!(
        r,
        "server_install_needs_a_bare_repository",
        r.hookctl(&["install", "--server"])
    );
}

#[test]
fn file_push_the_postmortem_commit_is_refused_as_on_the_client_a_clean_push_passes() {
    let r = clean_app();
    let bare = server(&r);
    let clean = r.push(&["origin", "main"]);
    cmd_snapshot!(r, "server_file_clean_push_passes", shown(&clean));
    assert_eq!(
        server_ref(&bare, "main"),
        r.git(&["rev-parse", "HEAD"]).stdout.trim()
    );

    postmortem_commit(&r);
    let refused = r.push(&["origin", "main"]);
    assert_ne!(refused.code, 0, "{}", refused.all());
    cmd_snapshot!(r, "server_file_postmortem_push_is_refused", shown(&refused));
    // Nothing was accepted: the server's main is still the clean commit.
    assert_eq!(
        server_ref(&bare, "main"),
        r.git(&["rev-parse", "HEAD~1"]).stdout.trim()
    );
    // The client's own pre-push hook says the same of the same commit.
    r.install_shim("pre-push");
    let client = r.push(&["origin", "main"]);
    // The same place and source line. The rule differs: the client sees the file on its
    // disk (`imports/untracked`, "not committed"); the server has no work tree, so to it the
    // target is absent from the commit (`imports/unresolved`, the spec's rule for an import
    // that resolves to nothing), and its message says so and names the likely cause (never
    // added) without claiming to see a disk. Both block.
    let server_block: Vec<&str> = refused
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("remote: "))
        .map(str::trim_end)
        .skip(2)
        .take(3)
        .collect();
    assert_eq!(server_block.len(), 3);
    assert_ne!(client.code, 0);
    assert!(
        client.stdout.contains(&server_block.join("\n")),
        "client:\n{}\nserver:\n{}",
        client.all(),
        refused.all()
    );
}

#[test]
fn branch_deletion_and_tag_pushes_pass() {
    let r = clean_app();
    let bare = server(&r);
    r.push(&["-q", "origin", "main"]).ok();
    r.git(&["branch", "feature"]).ok();
    r.push(&["-q", "origin", "feature"]).ok();
    r.git(&["tag", "v1"]).ok();
    r.git(&["tag", "-a", "v1-annotated", "-m", "release"]).ok();
    // A tag of a tree has no snapshot to check.
    let tree = r.git(&["rev-parse", "HEAD^{tree}"]).stdout.trim().to_string();
    r.git(&["tag", "tree-tag", &tree]).ok();
    postmortem_commit(&r);
    let tags = r.push(&["origin", "v1", "v1-annotated", "tree-tag"]);
    cmd_snapshot!(r, "server_tag_push_passes", shown(&tags));
    let deletion = r.push(&["origin", ":feature"]);
    cmd_snapshot!(r, "server_branch_deletion_passes", shown(&deletion));
    assert!(server_ref(&bare, "refs/heads/feature").is_empty());
    assert!(!server_ref(&bare, "refs/tags/v1-annotated").is_empty());
    // A tag of the postmortem commit brings its finding: refused like the branch.
    r.git(&["tag", "v2"]).ok();
    let bad_tag = r.push(&["origin", "v2"]);
    assert_ne!(bad_tag.code, 0, "{}", bad_tag.all());
    assert!(server_ref(&bare, "refs/tags/v2").is_empty());
}

#[test]
fn the_pushed_commits_own_hookctl_toml_decides() {
    let r = clean_app();
    server(&r);
    r.push(&["-q", "origin", "main"]).ok();
    postmortem_commit(&r);
    // The server's rule for a target absent from the commit (it sees no disk) is
    // `imports/unresolved`: relaxed here, the push passes with a warning.
    r.write("hookctl.toml", "[rules]\n\"imports/unresolved\" = \"warning\"\n");
    r.add(&["hookctl.toml"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "relax"]).ok();
    let run = r.push(&["origin", "main"]);
    assert_eq!(run.code, 0, "{}", run.all());
    cmd_snapshot!(r, "server_pushed_config_decides", shown(&run));
}

#[test]
fn a_malformed_hookctl_toml_in_the_pushed_commit_is_refused() {
    let r = clean_app();
    server(&r);
    r.write("hookctl.toml", "[rules\n");
    r.commit_all("broken config");
    let run = r.push(&["origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(r, "server_malformed_pushed_config_is_refused", shown(&run));
}

#[test]
fn server_jobs_never_run() {
    let r = clean_app();
    let bare = server(&r);
    let marker = r.sibling("job-ran");
    r.write(
        "hookctl.toml",
        format!(
            "[[pre-receive.jobs]]\nname = \"evil\"\nrun = \"touch {}\"\n\n[[pre-push.jobs]]\nname = \"evil2\"\nrun = \"touch {}\"\n",
            s(&marker),
            s(&marker)
        ),
    );
    r.commit_all("jobs");
    r.push(&["origin", "main"]).ok();
    assert!(!marker.exists(), "a job ran on the server");
    assert!(!server_ref(&bare, "main").is_empty());
}

#[test]
fn timeout_accepts_and_says_so_or_refuses() {
    let r = clean_app();
    let bare = server(&r);
    std::fs::write(bare.join("hookctl.toml"), "[server]\ntimeout = \"1ms\"\n").unwrap();
    postmortem_commit(&r);
    let accepted = r.push(&["origin", "main"]);
    cmd_snapshot!(r, "server_timeout_accepts_and_says_so", shown(&accepted));
    std::fs::write(
        bare.join("hookctl.toml"),
        "[server]\ntimeout = \"1ms\"\non_timeout = \"refuse\"\n",
    )
    .unwrap();
    r.write("b.ts", "export const b = 1;\n");
    r.commit_all("b");
    let refused = r.push(&["origin", "main"]);
    cmd_snapshot!(r, "server_timeout_refuses", shown(&refused));
}

#[test]
fn a_push_of_1000_commits_is_checked_within_the_bound() {
    let r = clean_app();
    let bare = server(&r);
    r.push(&["-q", "origin", "main"]).ok();
    // 1,000 commits, each adding a module that imports the previous one (git fast-import).
    let mut stream = String::new();
    let parent = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    for i in 0..1000 {
        let body = if i == 0 {
            "export const v0 = 0;\n".to_string()
        } else {
            format!(
                "import {{ v{p} }} from './m{p}';\nexport const v{i} = v{p} + 1;\n",
                p = i - 1
            )
        };
        let msg = format!("m{i}");
        let _ = writeln!(
            stream,
            "commit refs/heads/main\ncommitter Test <test@example.com> {} +0000\ndata {}\n{msg}",
            1_700_000_000 + i,
            msg.len()
        );
        if i == 0 {
            let _ = writeln!(stream, "from {parent}");
        }
        let _ = writeln!(
            stream,
            "M 100644 inline lib/chain/m{i}.ts\ndata {}\n{body}",
            body.len()
        );
    }
    let mut c = git_cmd(&r.root);
    c.args(["fast-import", "--quiet", "--force"]);
    run_with_stdin(c, Some(&stream)).ok();
    r.git(&["reset", "-q", "--hard", "main"]).ok();
    assert_eq!(
        r.git(&["rev-list", "--count", "origin/main..main"]).stdout.trim(),
        "1000"
    );
    let t0 = Instant::now();
    let run = r.push(&["origin", "main"]);
    let took = t0.elapsed();
    eprintln!("push of 1000 commits (1000 new files) checked by the server in {took:?}");
    run.ok();
    assert!(!run.stderr.contains("WITHOUT checks"), "{}", run.all());
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(
        server_ref(&bare, "main"),
        r.git(&["rev-parse", "HEAD"]).stdout.trim()
    );
}

/// `hookctl check --rev <new> --baseline <old>` per ref line: the form for GitLab and Gitea
/// server hooks, which run their own hook scripts.
#[test]
fn check_rev_baseline_form_works_as_a_custom_server_hook() {
    let r = clean_app();
    custom_check_rev_hook(&server(&r));
    // The first push of a branch: the old value is all zeros.
    r.push(&["origin", "main"]).ok();
    postmortem_commit(&r);
    let run = r.push(&["origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(r, "server_check_rev_baseline_custom_hook", shown(&run));
}

/// Replace the `pre-receive` hook of `bare` with a custom one (GitLab's and Gitea's form) that
/// runs `hookctl check --rev <new> --baseline <old>` per pushed ref.
fn custom_check_rev_hook(bare: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let hook = bare.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nstatus=0\nwhile read old new ref; do\n  case $new in 0000000000000000000000000000000000000000) continue;; esac\n  \"{BIN}\" check --rev \"$new\" --baseline \"$old\" >&2 || status=1\ndone\nexit $status\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `check --rev` in a bare repository reads the commit's configuration as the `pre-receive`
/// hook does, and says the same when an `extends` names an npm package it cannot read; the twin
/// (the same push without the package) says nothing of it.
#[test]
fn check_rev_in_a_bare_repository_names_an_unread_extends_package() {
    let r = clean_app();
    custom_check_rev_hook(&server(&r));
    r.push(&["-q", "origin", "main"]).ok();
    r.write("tooling/hookctl.base.toml", "[rules]\n");
    r.write("hookctl.toml", "extends = [\"./tooling/hookctl.base.toml\"]\n");
    r.add(&["hookctl.toml", "tooling/hookctl.base.toml"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "a local base"]).ok();
    let twin = r.push(&["origin", "main"]);
    twin.ok();
    cmd_snapshot!(r, "server_check_rev_reads_local_extends_quietly", shown(&twin));
    r.write(
        "hookctl.toml",
        "extends = [\"./tooling/hookctl.base.toml\", \"@acme/hookctl-config\"]\n",
    );
    r.add(&["hookctl.toml"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "shared config"])
        .ok();
    let run = r.push(&["origin", "main"]);
    cmd_snapshot!(r, "server_check_rev_names_an_unread_extends_package", shown(&run));
}

/// A free loopback port (bound, read, released: `git daemon` binds it next).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `git daemon` and the `git-daemon` process it starts as its child (killing `git` alone left
/// `git-daemon` listening after the test): the child's pid comes from `--pid-file`.
struct Daemon(std::process::Child, std::path::PathBuf);

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.1) {
            let _ = std::process::Command::new("kill").arg(pid.trim()).status();
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn git_daemon_push_the_postmortem_commit_is_refused_a_clean_push_passes() {
    let r = clean_app();
    let bare = server(&r);
    let base = bare.parent().unwrap().to_path_buf();
    let port = free_port();
    let pid_file = base.join("daemon.pid");
    let _daemon = Daemon(
        git_cmd(&base)
            .args([
                "daemon",
                &format!("--pid-file={}", s(&pid_file)),
                "--export-all",
                "--enable=receive-pack",
                "--reuseaddr",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", s(&base)),
                &s(&base),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon"),
        pid_file,
    );
    assert!(
        wait_for(|| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(), 10),
        "git daemon did not listen on {port}"
    );
    let url = format!("git://127.0.0.1:{port}/server.git");
    r.git(&["remote", "set-url", "origin", &url]).ok();
    let at_port = |run: Run| Run {
        code: run.code,
        stdout: run.stdout.replace(&port.to_string(), "[PORT]"),
        stderr: run.stderr.replace(&port.to_string(), "[PORT]"),
    };
    let clean = at_port(r.push(&["origin", "main"]));
    cmd_snapshot!(r, "server_daemon_clean_push_passes", shown(&clean));
    assert_eq!(
        server_ref(&bare, "main"),
        r.git(&["rev-parse", "HEAD"]).stdout.trim()
    );
    postmortem_commit(&r);
    let refused = at_port(r.push(&["origin", "main"]));
    assert_ne!(refused.code, 0, "{}", refused.all());
    cmd_snapshot!(r, "server_daemon_postmortem_push_is_refused", shown(&refused));
    assert_eq!(
        server_ref(&bare, "main"),
        r.git(&["rev-parse", "HEAD~1"]).stdout.trim()
    );
}

/// The pushed commit's configuration is read as the client reads its work tree: an `extends`
/// file of the commit applies; an npm package (never installed on a server) is skipped and the
/// pusher is told; a base outside the commit is refused.
#[test]
fn the_pushed_commits_extends_files_apply_and_packages_are_named_as_unread() {
    let r = clean_app();
    let bare = server(&r);
    r.push(&["-q", "origin", "main"]).ok();
    postmortem_commit(&r);
    r.write(
        "hookctl.toml",
        "extends = [\"./tooling/hookctl.base.toml\", \"@acme/hookctl-config\"]\n",
    );
    r.write(
        "tooling/hookctl.base.toml",
        "[rules]\n\"imports/unresolved\" = \"warning\"\n",
    );
    r.add(&["hookctl.toml", "tooling/hookctl.base.toml"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "shared config"])
        .ok();
    let run = r.push(&["origin", "main"]);
    cmd_snapshot!(r, "server_pushed_extends_apply", shown(&run));
    assert_eq!(
        server_ref(&bare, "main"),
        r.git(&["rev-parse", "HEAD"]).stdout.trim()
    );
    // Twin: the base without the rule's level; the same push is refused.
    r.write("tooling/hookctl.base.toml", "[rules]\n");
    r.write(
        "app/gallery/more.tsx",
        "import { crop } from '@/lib/utils/crop2';\nexport const y = crop;\n",
    );
    r.add(&["tooling/hookctl.base.toml", "app/gallery/more.tsx"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "stricter"]).ok();
    let refused = r.push(&["origin", "main"]);
    assert_ne!(refused.code, 0, "{}", refused.all());
    // A base outside the pushed commit is never read on the server.
    r.write(
        "hookctl.toml",
        "extends = [\"../../../../../../../../etc/hookctl.toml\"]\n",
    );
    r.add(&["hookctl.toml"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "outside"]).ok();
    let outside = r.push(&["origin", "main"]);
    assert_ne!(outside.code, 0, "{}", outside.all());
    cmd_snapshot!(r, "server_pushed_extends_outside_the_commit", shown(&outside));
}

/// A workspace package's `hookctl.toml` sets the levels of findings under its folder, on the
/// server as on the client; the root's files keep the root's levels (the twin).
#[test]
fn nested_package_configs_of_the_pushed_commit_set_their_levels() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"mono","private":true,"workspaces":["packages/*"]}"#,
    );
    r.write("packages/ui/package.json", r#"{"name":"ui","version":"1.0.0"}"#);
    r.write("packages/ui/src/index.ts", "export const ui = 1;\n");
    r.write("src/main.ts", "export const main = 1;\n");
    r.commit_all("mono");
    let bare = server(&r);
    r.push(&["-q", "origin", "main"]).ok();
    r.write(
        "packages/ui/hookctl.toml",
        "[rules]\n\"imports/unresolved\" = \"warning\"\n",
    );
    r.write(
        "packages/ui/src/index.ts",
        "import { gone } from './gone';\nexport const ui = gone;\n",
    );
    r.commit_all("ui relaxed");
    let passed = r.push(&["origin", "main"]);
    cmd_snapshot!(r, "server_nested_config_sets_its_levels", shown(&passed));
    assert_eq!(
        server_ref(&bare, "main"),
        r.git(&["rev-parse", "HEAD"]).stdout.trim()
    );
    r.write(
        "src/main.ts",
        "import { gone } from './gone';\nexport const main = gone;\n",
    );
    r.commit_all("root import");
    let refused = r.push(&["origin", "main"]);
    assert_ne!(refused.code, 0, "{}", refused.all());
    cmd_snapshot!(r, "server_nested_config_root_keeps_root_levels", shown(&refused));
}
