//! `commit/message` in git's real `commit-msg` hook: a message against the convention is
//! refused, its twin that follows it is recorded; the rule is off until turned on.

use crate::common::*;

const ON: &str = "[rules]\n\"commit/message\" = \"error\"\n";

fn repo(config: &str) -> Repo {
    let r = Repo::new();
    r.write("hookctl.toml", config);
    r.write("a.txt", "a\n");
    r.add(&["hookctl.toml", "a.txt"]);
    r.hookctl(&["install"]).ok();
    r
}

fn head_subject(r: &Repo) -> String {
    r.git(&["log", "-1", "--format=%s"]).stdout.trim().to_string()
}

#[test]
fn install_adds_the_commit_msg_hook_only_when_the_rule_is_on() {
    let on = repo(ON);
    assert!(on.root.join(".git/hooks/commit-msg").is_file());
    let off = repo("");
    assert!(!off.root.join(".git/hooks/commit-msg").exists());
    // Off by default: any message passes.
    off.commit(&["-q", "-m", "whatever I like"]).ok();
    assert_eq!(head_subject(&off), "whatever I like");
}

#[test]
fn a_message_against_the_convention_is_refused_and_its_twin_recorded() {
    let r = repo(ON);
    let run = r.commit(&["-q", "-m", "Add the gallery"]);
    cmd_snapshot!(r, "commit_msg_not_conventional", run);
    assert!(r.git(&["log", "-1"]).code != 0, "nothing was committed");
    r.commit(&["-q", "-m", "feat: add the gallery"]).ok();
    assert_eq!(head_subject(&r), "feat: add the gallery");
}

#[test]
fn types_length_and_ticket_from_the_config() {
    let r = repo(&format!(
        "{ON}[commit]\ntypes = [\"feat\", \"fix\"]\nmax_subject_length = 30\nticket = '[A-Z]+-\\d+'\n"
    ));
    let run = r.commit(&["-q", "-m", "chore: a subject that is much too long to pass"]);
    cmd_snapshot!(r, "commit_msg_type_length_ticket", run);
    r.commit(&["-q", "-m", "fix: ABC-12 rotate the key"]).ok();
    // The ticket may be in the body.
    r.write("a.txt", "b\n");
    r.add(&["a.txt"]);
    r.commit(&["-q", "-m", "feat: short", "-m", "Refs: ABC-13"]).ok();
}

#[test]
fn messages_git_writes_and_comments_pass() {
    let r = repo(ON);
    r.commit(&["-q", "-m", "feat: base"]).ok();
    r.git(&["checkout", "-q", "-b", "topic"]).ok();
    r.write("b.txt", "b\n");
    r.add(&["b.txt"]);
    r.commit(&["-q", "-m", "feat: b"]).ok();
    r.git(&["checkout", "-q", "main"]).ok();
    r.write("c.txt", "c\n");
    r.add(&["c.txt"]);
    r.commit(&["-q", "-m", "feat: c"]).ok();
    // git's own merge message ("Merge branch 'topic'") goes through commit-msg too.
    let merge = git_cmd(&r.root)
        .env("PATH", Repo::path_with_bin())
        .args(["merge", "--no-edit", "-q", "topic"])
        .output()
        .unwrap();
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    assert_eq!(head_subject(&r), "Merge branch 'topic'");
    r.write("d.txt", "d\n");
    r.add(&["d.txt"]);
    r.commit(&["-q", "-m", "fixup! feat: c"]).ok();
}

#[test]
fn hookctl_skip_and_the_rule_level_turn_it_off() {
    let r = repo(ON);
    let mut c = git_cmd(&r.root);
    c.env("PATH", Repo::path_with_bin())
        .env("HOOKCTL_SKIP", "commit/message")
        .args(["commit", "-q", "-m", "no convention today"]);
    assert!(c.output().unwrap().status.success());
    r.write("hookctl.toml", "[rules]\n\"commit/message\" = \"warning\"\n");
    r.write("a.txt", "z\n");
    r.add(&["a.txt", "hookctl.toml"]);
    let run = r.commit(&["-q", "-m", "a warning only"]);
    run.ok().contains("warning[commit/message]");
}
