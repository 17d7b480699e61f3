//! `skip` / `only` conditions of a hook or a job, and the keys that order a hook's jobs
//! (`group`, `priority`, `[[hook.groups]]`, `checks_order`): types and their validation at load.
//!
//! A condition list holds when any of its conditions holds: `skip` skips then, `only` runs only
//! then. What each condition reads (git's state files, the hook's arguments, `CI`) is decided
//! in `crate::jobs::condition`; here they are only parsed, so that an unknown one is an error of
//! the file, with its line.

use serde::Deserialize;
use serde::de::Error as _;

/// The states of the repository a condition may name.
pub const STATES: &[&str] = &[
    "merge",
    "merge-commit",
    "rebase",
    "cherry-pick",
    "revert",
    "amend",
    "ci",
];

/// One condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `true` / `false`: always / never.
    Always(bool),
    /// A merge in progress (`MERGE_HEAD`, or the `post-merge`/`pre-merge-commit` hook).
    Merge,
    /// The commit being made (or just made) is a merge: `MERGE_HEAD` in `pre-commit`,
    /// `prepare-commit-msg` and `commit-msg`; always in `pre-merge-commit`; `HEAD` with two
    /// parents or more in `post-commit` and `post-merge` (not a fast-forward). No other hook
    /// makes a commit: there it never holds.
    MergeCommit,
    /// A rebase in progress (`rebase-merge/`, `rebase-apply/` without `git am`, `pre-rebase`,
    /// `post-rewrite rebase`).
    Rebase,
    /// A cherry-pick in progress (`CHERRY_PICK_HEAD`).
    CherryPick,
    /// A revert in progress (`REVERT_HEAD`).
    Revert,
    /// `git commit --amend`.
    Amend,
    /// The `CI` variable is set (to anything but empty, `0`, `false`, `off`, `no`).
    Ci,
    /// The current branch matches one of these globs (`main`, `release/*`).
    Ref(super::pattern::RefGlobs),
    /// This command (`sh -c`, in the repository root) exits 0.
    Run(String),
}

impl Condition {
    /// How the condition is written, for messages (`merge`, `ref = "main"`).
    pub fn describe(&self) -> String {
        match self {
            Condition::Always(b) => b.to_string(),
            Condition::Merge => "merge".into(),
            Condition::MergeCommit => "merge-commit".into(),
            Condition::Rebase => "rebase".into(),
            Condition::CherryPick => "cherry-pick".into(),
            Condition::Revert => "revert".into(),
            Condition::Amend => "amend".into(),
            Condition::Ci => "ci".into(),
            Condition::Ref(globs) => match globs.as_slice() {
                [one] => format!("ref = \"{one}\""),
                all => format!("ref = [\"{}\"]", all.join("\", \"")),
            },
            Condition::Run(cmd) => format!("run = \"{cmd}\""),
        }
    }
}

/// `skip = ...` / `only = ...`: `true`, a state name, a table (`{ ref = "main" }`,
/// `{ run = "test -f x" }`), or a list of those.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conditions(pub Vec<Condition>);

impl<'de> Deserialize<'de> for Conditions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Many(Vec<Item>),
            One(Item),
        }
        let raw = Raw::deserialize(d).map_err(|_| {
            D::Error::custom(format!(
                "a condition is `true`, one of {}, a table `{{ ref = \"main\" }}` or `{{ run = \"command\" }}`, or a list of those",
                known()
            ))
        })?;
        let items = match raw {
            Raw::Bool(b) => return Ok(Conditions(vec![Condition::Always(b)])),
            Raw::Many(v) => v,
            Raw::One(i) => vec![i],
        };
        items
            .into_iter()
            .map(|i| i.into_condition().map_err(D::Error::custom))
            .collect::<Result<Vec<_>, _>>()
            .map(Conditions)
    }
}

fn known() -> String {
    STATES
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Item {
    Name(String),
    /// A map only (a struct would also take a sequence): `ref` or `run`, checked by hand.
    Table(std::collections::BTreeMap<String, serde_json::Value>),
}

/// Why a condition cannot be read (a configuration error at its line).
#[derive(Debug, thiserror::Error)]
enum ConditionError {
    #[error(
        "unknown condition `{name}`{suggestion} (known: {known}, or a table `{{ ref = \"main\" }}` / `{{ run = \"command\" }}`)"
    )]
    Unknown {
        name: String,
        suggestion: String,
        known: String,
    },
    #[error("a condition table has exactly one key: `ref = \"main\"` or `run = \"command\"`")]
    TableKeys,
    #[error("`ref` is a branch glob or a list of them")]
    RefType,
    #[error("`ref = []` matches no branch; name at least one")]
    RefEmpty,
    /// A branch glob that does not compile (its message from [`super::pattern::RefGlobs`]).
    #[error("{0}")]
    RefGlob(String),
    #[error("a `run` condition is a command (a non-empty string, no NUL byte)")]
    Run,
    #[error(
        "unknown condition key `{key}`{suggestion}: a condition table is `{{ ref = \"main\" }}` or `{{ run = \"command\" }}`"
    )]
    UnknownKey { key: String, suggestion: String },
}

impl Item {
    fn into_condition(self) -> Result<Condition, ConditionError> {
        let table = match self {
            Item::Name(name) => {
                return Ok(match name.as_str() {
                    "merge" => Condition::Merge,
                    "merge-commit" => Condition::MergeCommit,
                    "rebase" => Condition::Rebase,
                    "cherry-pick" => Condition::CherryPick,
                    "revert" => Condition::Revert,
                    "amend" => Condition::Amend,
                    "ci" => Condition::Ci,
                    _ => {
                        return Err(ConditionError::Unknown {
                            suggestion: super::suggest(&name, STATES.iter().copied()),
                            known: known(),
                            name,
                        });
                    }
                });
            }
            Item::Table(t) => t,
        };
        let mut keys = table.into_iter();
        let (Some((key, value)), None) = (keys.next(), keys.next()) else {
            return Err(ConditionError::TableKeys);
        };
        match key.as_str() {
            "ref" => {
                let globs: Vec<String> = match value {
                    serde_json::Value::String(g) => vec![g],
                    serde_json::Value::Array(list) => list
                        .into_iter()
                        .map(|v| match v {
                            serde_json::Value::String(g) => Ok(g),
                            _ => Err(ConditionError::RefType),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => return Err(ConditionError::RefType),
                };
                if globs.is_empty() {
                    return Err(ConditionError::RefEmpty);
                }
                Ok(Condition::Ref(globs.try_into().map_err(ConditionError::RefGlob)?))
            }
            "run" => match value {
                serde_json::Value::String(cmd) if !cmd.trim().is_empty() && !cmd.contains('\0') => {
                    Ok(Condition::Run(cmd))
                }
                _ => Err(ConditionError::Run),
            },
            other => Err(ConditionError::UnknownKey {
                suggestion: super::suggest(other, ["ref", "run"].into_iter()),
                key: other.to_string(),
            }),
        }
    }
}

impl schemars::JsonSchema for Conditions {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Conditions".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let item = serde_json::json!({
            "anyOf": [
                { "enum": STATES },
                {
                    "type": "object",
                    "properties": {
                        "ref": {
                            "description": "Branch globs: the condition holds on a matching current branch.",
                            "anyOf": [
                                { "type": "string" },
                                { "type": "array", "items": { "type": "string" } }
                            ]
                        }
                    },
                    "required": ["ref"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {
                        "run": {
                            "description": "A command (sh -c, in the repository root): the condition holds when it exits 0.",
                            "type": "string"
                        }
                    },
                    "required": ["run"],
                    "additionalProperties": false
                }
            ]
        });
        schemars::json_schema!({
            "description": "Conditions, any of which holds: `true`, a state (`merge`, `merge-commit`, `rebase`, `cherry-pick`, `revert`, `amend`, `ci`), `{ ref = \"glob\" }`, `{ run = \"command\" }`, or a list of those.",
            "anyOf": [
                { "type": "boolean" },
                item.clone(),
                { "type": "array", "items": item }
            ]
        })
    }
}

/// Where the built-in checks run among the jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChecksOrder {
    /// Before every job (the default).
    #[default]
    First,
    /// After every job group (fixers with `stage_fixed` run first; the checks see their fixes).
    Last,
}

/// `[[hook.groups]]`: a named group of jobs, run after the groups above it.
#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// What jobs name in `group = "..."`.
    pub name: String,
    /// A failing job cancels the group's other jobs and nothing after the group runs (default:
    /// the hook's `fail_fast`).
    pub fail_fast: Option<bool>,
    /// Run the group's jobs at the same time (default: the hook's `parallel`, true).
    pub parallel: Option<bool>,
}

/// A problem of a hook's ordering keys, with where it is: a job's key, or a declared group.
#[derive(Debug)]
pub struct OrderError {
    pub message: String,
    /// `jobs` or `groups`, and the `name` of the entry.
    pub table: &'static str,
    pub entry: String,
    /// The key of the entry the problem is about.
    pub key: &'static str,
}

/// With `[[groups]]` declared: each declared once and used, and every job's `group` one of
/// them.
fn validate_groups(
    hc: &super::HookConfig,
    job_error: impl Fn(&super::JobConfig, &'static str, String) -> OrderError,
) -> Result<(), OrderError> {
    let mut seen = std::collections::BTreeSet::new();
    for g in &hc.groups {
        let group_error = |message| OrderError {
            message,
            table: "groups",
            entry: g.name.clone(),
            key: "name",
        };
        if !seen.insert(g.name.as_str()) {
            return Err(group_error(format!(
                "group `{}` is declared twice in `[[groups]]`",
                g.name
            )));
        }
        if !hc
            .jobs
            .iter()
            .any(|j| j.group.as_deref() == Some(g.name.as_str()))
        {
            return Err(group_error(format!(
                "group `{}` is declared in `[[groups]]` but no job has `group = \"{}\"`",
                g.name, g.name
            )));
        }
    }
    if !hc.groups.is_empty() {
        for job in &hc.jobs {
            if let Some(g) = &job.group
                && !seen.contains(g.as_str())
            {
                return Err(job_error(
                    job,
                    "group",
                    format!(
                        "job `{}`: no group `{g}` in `[[groups]]`{} (declared: {})",
                        job.name,
                        super::suggest(g, seen.iter().copied()),
                        seen.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks of a hook table's ordering keys (after it is read, see `config::parse`): a job sets
/// `group` or `priority`, not both; a hook uses names or priorities, not both; with
/// `[[groups]]` declared, every `group` names one of them, each declared once and used.
pub fn validate_order(hc: &super::HookConfig) -> Result<(), OrderError> {
    let job_error = |job: &super::JobConfig, key, message| OrderError {
        message,
        table: "jobs",
        entry: job.name.clone(),
        key,
    };
    for job in &hc.jobs {
        if job.group.is_some() && job.priority.is_some() {
            return Err(job_error(
                job,
                "priority",
                format!(
                    "job `{}` sets both `group` and `priority`: `priority = N` is a shorthand for a group; keep one",
                    job.name
                ),
            ));
        }
    }
    let named = hc.jobs.iter().find(|j| j.group.is_some());
    let numbered = hc.jobs.iter().find(|j| j.priority.is_some());
    if let (Some(a), Some(b)) = (named, numbered) {
        return Err(job_error(
            b,
            "priority",
            format!(
                "job `{}` sets `priority` but job `{}` sets `group`: a hook orders its jobs by named groups or by priorities, not both",
                b.name, a.name
            ),
        ));
    }
    if let (Some(b), Some(g)) = (numbered, hc.groups.first()) {
        return Err(job_error(
            b,
            "priority",
            format!(
                "job `{}` sets `priority` but `[[groups]]` names groups (`{}`): give the jobs `group = \"name\"`",
                b.name, g.name
            ),
        ));
    }
    validate_groups(hc, job_error)
}

/// The 1-based line of an [`OrderError`] in the file's text, from toml's own spans: the key's
/// line inside the `[[hook.jobs]]` / `[[hook.groups]]` entry of that name, else the entry's
/// start, else the hook's table, else 1.
pub fn locate(text: &str, hook: &str, e: &OrderError) -> usize {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else {
        return 1;
    };
    let line = |span: std::ops::Range<usize>| super::line_col(text, span.start).0;
    let Some((hook_key, hook_value)) = doc.get_ref().get_key_value(hook) else {
        return 1;
    };
    let named = |entry: &DeTable<'_>| {
        entry
            .get("name")
            .is_some_and(|n| matches!(n.get_ref(), DeValue::String(s) if *s == *e.entry))
    };
    let entry = match hook_value.get_ref() {
        DeValue::Table(t) => match t.get(e.table).map(toml::Spanned::get_ref) {
            Some(DeValue::Array(entries)) => entries.iter().find_map(|v| match v.get_ref() {
                DeValue::Table(t) if named(t) => Some((v.span(), t)),
                _ => None,
            }),
            _ => None,
        },
        _ => None,
    };
    match entry {
        Some((span, t)) => t
            .get_key_value(e.key)
            .map_or_else(|| line(span), |(k, _)| line(k.span())),
        None => line(hook_key.span()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_the_key_of_the_named_entry() {
        let text = "[pre-commit]\n[[pre-commit.jobs]]\nname = \"a\"\ngroup = \"x\"\n[[pre-commit.jobs]]\ngroup = \"y\"\nname = 'b'\n";
        let e = |entry: &str, key| OrderError {
            message: String::new(),
            table: "jobs",
            entry: entry.into(),
            key,
        };
        assert_eq!(locate(text, "pre-commit", &e("b", "group")), 6);
        assert_eq!(locate(text, "pre-commit", &e("a", "group")), 4);
        assert_eq!(locate(text, "pre-commit", &e("a", "priority")), 2);
        assert_eq!(locate(text, "pre-commit", &e("zz", "group")), 1);
        assert_eq!(locate(text, "pre-push", &e("a", "group")), 1);
        // Spans, not lines that look like headers: an entry written as an inline table is
        // found too, and a `[[...]]` inside a string is no header.
        let inline = "[pre-commit]\njobs = [\n  { name = \"a\", run = \"x\" },\n  { name = \"b\",\n    group = \"y\" },\n]\n";
        assert_eq!(locate(inline, "pre-commit", &e("b", "group")), 5);
        let quoted = "[pre-commit]\n[[pre-commit.jobs]]\nname = \"a\"\nrun = \"\"\"\n[[pre-commit.jobs]]\n\"\"\"\ngroup = \"x\"\n";
        assert_eq!(locate(quoted, "pre-commit", &e("a", "group")), 7);
    }
}
