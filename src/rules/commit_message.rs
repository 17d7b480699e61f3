//! `commit/message`: the commit message follows the team's convention — Conventional Commits
//! (`type(scope)!: subject`, the types configurable), a maximum first-line length, a required
//! ticket pattern — checked by the `commit-msg` hook without starting Node (commitlint's cost on
//! every commit). Off by default; `[rules] "commit/message" = "error"` turns it on and
//! `[commit]` sets the convention.
//!
//! The message is read as git will record it: lines starting with the comment character (`#`,
//! or `core.commentChar`) dropped, everything from git's scissors line (`# ------------------------ >8 ------------------------`)
//! on dropped. Messages tools write themselves are not the author's to format and pass: merges
//! (`Merge branch …`, `Merge pull request …`), reverts (`Revert "…"`), the `fixup!`, `squash!`
//! and `amend!` commits that `git rebase --autosquash` folds away, and the `Initial commit` that
//! GitHub and GitLab write when they create a repository.

use crate::config::CommitConfig;
use crate::diagnostic::Finding;

/// The message as git records it (see the module documentation).
pub fn cleaned(raw: &str, comment: char) -> String {
    let mut lines = Vec::new();
    for line in raw.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(comment) && trimmed.contains(" >8 ") {
            break;
        }
        if line.starts_with(comment) {
            continue;
        }
        lines.push(line.trim_end());
    }
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// Messages git writes itself, which the convention does not apply to.
fn is_generated(subject: &str) -> bool {
    subject == "Initial commit"
        || ["Merge ", "Revert \"", "fixup! ", "squash! ", "amend! "]
            .iter()
            .any(|p| subject.starts_with(p))
}

/// The findings for `message` (already [`cleaned`]), reported at `path`.
pub fn check(config: &CommitConfig, message: &str, path: &str) -> Vec<Finding> {
    let subject = message.lines().next().unwrap_or("");
    let mut out = Vec::new();
    let finding = |what: String, help: String| {
        Finding::new(&super::COMMIT_MESSAGE, path, what)
            .at(1, 1)
            .help(help)
    };
    if subject.trim().is_empty() {
        out.push(finding(
            "the commit message is empty".into(),
            "write a subject line".into(),
        ));
        return out;
    }
    if is_generated(subject) {
        return out;
    }
    if config.conventional.unwrap_or(true) {
        let types: Vec<&str> = match &config.types {
            Some(t) => t.iter().map(String::as_str).collect(),
            None => CommitConfig::DEFAULT_TYPES.to_vec(),
        };
        match conventional_type(subject) {
            None => out.push(
                finding(
                    format!("the subject `{subject}` is not a Conventional Commit (`type(scope): subject`)"),
                    format!(
                        "start it with one of {}, e.g. `fix: {}`",
                        types.join(", "),
                        lowercase_first(subject)
                    ),
                )
                .name("conventional".to_string()),
            ),
            Some(t) if !types.contains(&t) => out.push(
                finding(
                    format!("`{t}` is not an allowed commit type"),
                    format!("use one of {}", types.join(", ")),
                )
                .name(format!("type {t}")),
            ),
            Some(_) => {}
        }
    }
    let max = config
        .max_subject_length
        .unwrap_or(CommitConfig::DEFAULT_MAX_SUBJECT_LENGTH);
    let len = subject.chars().count();
    if len > max {
        out.push(
            finding(
                format!("the subject line is {len} characters long, the limit is {max}"),
                "shorten it; details go in the body, after a blank line".into(),
            )
            .name("length".to_string()),
        );
    }
    if let Some(pattern) = &config.ticket
        && let Ok(re) = regex::Regex::new(pattern)
        && !re.is_match(message)
    {
        out.push(
            finding(
                format!("the commit message names no ticket (`{pattern}`)"),
                "add the ticket id, e.g. in the subject or a `Refs:` line".into(),
            )
            .name("ticket".to_string()),
        );
    }
    out
}

/// `feat` of `feat(ui)!: subject`; `None` when the subject is not of that form.
fn conventional_type(subject: &str) -> Option<&str> {
    let (head, rest) = subject.split_once(':')?;
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    let head = head.strip_suffix('!').unwrap_or(head);
    let (kind, scope) = match head.split_once('(') {
        Some((kind, scope)) => (kind, Some(scope.strip_suffix(')')?)),
        None => (head, None),
    };
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !word(kind) || scope.is_some_and(|s| s.is_empty() || s.contains(['(', ')'])) {
        return None;
    }
    Some(kind)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().collect::<String>() + chars.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(config: &CommitConfig, msg: &str) -> Vec<String> {
        check(config, &cleaned(msg, '#'), "COMMIT_EDITMSG")
            .into_iter()
            .map(|f| f.name.unwrap_or_default())
            .collect()
    }

    #[test]
    fn conventional_commits_and_their_twins() {
        let c = CommitConfig::default();
        let table: &[(&str, &[&str])] = &[
            ("feat: add the gallery", &[]),
            ("fix(auth)!: rotate the secret", &[]),
            ("feat(ui-kit): button", &[]),
            ("add the gallery", &["conventional"]),
            ("feat:add", &["conventional"]),
            ("feat(): x", &["conventional"]),
            ("feature: add", &["type feature"]),
            ("Merge branch 'main' into topic", &[]),
            ("Revert \"feat: x\"", &[]),
            ("fixup! feat: x", &[]),
            ("Initial commit", &[]),
            ("Initial commit of the gallery", &["conventional"]),
            (
                "# only a comment\n\nfeat: ok\n# Please enter the commit message",
                &[],
            ),
            (
                "feat: ok\n# ------------------------ >8 ------------------------\ndiff --git",
                &[],
            ),
        ];
        for (msg, want) in table {
            assert_eq!(ids(&c, msg), *want, "{msg:?}");
        }
        assert_eq!(ids(&c, "# nothing\n"), [""], "an empty message");
    }

    #[test]
    fn length_types_and_ticket() {
        let c = CommitConfig {
            types: Some(vec!["feat".into()]),
            max_subject_length: Some(20),
            ticket: Some(r"[A-Z]+-\d+".into()),
            ..Default::default()
        };
        assert_eq!(ids(&c, "feat: ABC-12 short"), Vec::<String>::new());
        assert_eq!(ids(&c, "fix: ABC-12"), ["type fix"]);
        assert_eq!(ids(&c, "feat: a subject that is too long ABC-1"), ["length"]);
        assert_eq!(ids(&c, "feat: no ticket"), ["ticket"]);
        assert_eq!(ids(&c, "feat: short\n\nRefs: ABC-7"), Vec::<String>::new());
        let plain = CommitConfig {
            conventional: Some(false),
            ..Default::default()
        };
        assert_eq!(ids(&plain, "Add the gallery"), Vec::<String>::new());
    }
}
