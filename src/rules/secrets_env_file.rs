//! `secrets/env-file`: the snapshot contains an env file with real secrets: any `.env*.local`
//! (one machine's values, never meant for git), another env file (`.env*`, `.envrc`,
//! `*.env`, `env.production`, `.flaskenv`, ...) holding a value of a known secret format or a
//! high-entropy value for a secret-like name, or a declaration file (`.env.example`) holding a
//! value of a known secret format (placeholders are fine there).
//!
//! The file's raw bytes are read here, not the shared parse: a UTF-16 or Latin-1 file is
//! decoded as well as it can be, every line is scanned for known formats whether or not it
//! parses, and a committed symlink is followed to the committed file it points to. Values are
//! never printed.

use std::collections::BTreeSet;

use super::env_context::EnvContext;
use crate::diagnostic::Finding;
use crate::env::{
    self, EnvFileKind, dotenv, known_secret_format, known_secrets_in_lines, secrets_in_entries,
};
use crate::resolve::clean::CleanSet;
use crate::rules::imports_untracked::quote;
use crate::snapshot::{EntryKind, Kind, Snapshot};

/// Env files found to hold no finding: `<cache>/secrets-env-clean.<context>.bin`, (path, blob).
const CLEAN_FILE: &str = "secrets-env-clean.bin";
/// Bumped when this rule can judge the same file differently (the formats' table ships with
/// hookctl's version, which the context holds too).
const VERSION: &str = "secrets/env-file 1";

/// The env files known to hold no finding. A committed file's verdict (not a symlink, not a
/// `.env*.local`, which is reported whatever it holds) is a function of its path (which kind
/// of env file) and its bytes alone: no setting reads into it. Work trees keep none.
pub fn clean_set(snap: &Snapshot, cache_dir: &std::path::Path) -> CleanSet {
    if snap.kind == Kind::Worktree {
        return CleanSet::disabled();
    }
    let ctx = xxhash_rust::xxh3::xxh3_64(format!("{} {VERSION}", env!("CARGO_PKG_VERSION")).as_bytes());
    CleanSet::load_as(cache_dir, CLEAN_FILE, ctx)
}

pub fn check(cx: &EnvContext, clean: &CleanSet) -> Vec<Finding> {
    let snap = cx.snapshot();
    // Env files are special paths (`snapshot::is_special`); a committed file found clean
    // before is not read again (the formats' table compiles only when some file is scanned).
    let paths: Vec<&str> = snap
        .special_paths()
        .iter()
        .map(String::as_str)
        .filter(|p| {
            env::env_file_kind(p).is_some_and(|kind| {
                kind == EnvFileKind::Local
                    || !snap
                        .get(p)
                        .is_some_and(|e| e.kind == EntryKind::File && clean.contains(p, &e.oid))
            }) && !p.split('/').any(|c| c == "node_modules")
        })
        .collect();
    let mut out = Vec::new();
    for (path, bytes) in paths.iter().copied().zip(snap.read_many(&paths)) {
        let Some(kind) = env::env_file_kind(path) else {
            continue;
        };
        if kind == EnvFileKind::Local {
            let link = snap.get(path).is_some_and(|e| e.kind == EntryKind::Symlink);
            if !link && bytes.as_deref().is_ok_and(placeholders_only) {
                continue;
            }
            out.push(
                Finding::new(
                    &super::SECRETS_ENV_FILE,
                    path,
                    format!("`{path}` is a local env file and must not be committed"),
                )
                .help(untrack_help(path))
                .name(path),
            );
            continue;
        }
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                out.push(unreadable(path, format!("`{path}` cannot be read: {e}"), 0, 0));
                continue;
            }
        };
        let mut via = None;
        let file_oid = snap
            .get(path)
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.oid);
        let bytes = if snap.get(path).is_some_and(|e| e.kind == EntryKind::Symlink) {
            match symlink_target(snap, path, &bytes) {
                // The target is an env file too: it is scanned under its own name.
                Some(target) if env::env_file_kind(&target).is_some() => continue,
                Some(target) => match snap.read(&target) {
                    Ok(b) => {
                        via = Some(target);
                        b
                    }
                    Err(_) => continue,
                },
                // Points outside the snapshot: its content is not committed.
                None => continue,
            }
        } else {
            bytes
        };
        let found = scan_file(path, kind, &bytes, via.as_deref());
        if let (true, Some(oid)) = (found.is_empty(), file_oid) {
            clean.insert(path, &oid);
        }
        out.extend(found);
    }
    // An env file's lines are its values.
    out.into_iter().map(Finding::hide_source).collect()
}

/// A committed local env file that holds no value at all: every value is empty, a placeholder
/// (`changeme`, `<token>`, `xxx`), the variable's own name (`TOKEN=TOKEN`) or another name
/// (`FARO_URL=GRAFANA_CLOUD_FARO_URL`), the rest commented
/// out, and no line holds a known secret format. A template committed under a local name, not
/// one machine's secrets (real-repo corpus: `.env.local` templates, a plugin's test fixture).
fn placeholders_only(bytes: &[u8]) -> bool {
    let (text, _) = dotenv::decode_lossy(bytes);
    if !known_secrets_in_lines(&text).is_empty() {
        return false;
    }
    dotenv::parse_str(&text).entries.iter().all(|e| {
        // `1` or `on` is a value, not a placeholder, however short.
        let value = e.value.trim();
        value.is_empty()
            || (value.len() >= 3 && env::secrets::is_placeholder(value))
            || value.to_ascii_lowercase().contains(&e.name.to_ascii_lowercase())
            || names_a_value(value)
    })
}

/// A value that names what to put there, in the form of an env name (`GRAFANA_CLOUD_STACK_NAME`,
/// `YOUR_API_KEY`): upper case, digits and `_`, with a `_`, starting with a letter. No secret
/// has that form.
fn names_a_value(value: &str) -> bool {
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    value.contains('_')
        && value.starts_with(|c: char| c.is_ascii_uppercase())
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn untrack_help(path: &str) -> String {
    format!(
        "remove it from git with `git rm --cached {}`, add it to .gitignore, and rotate every secret it held",
        quote(path)
    )
}

fn unreadable(path: &str, message: String, line: u32, column: u32) -> Finding {
    Finding::new(&super::FILES_UNREADABLE, path, message)
        .at(line, column)
        .help("save it as UTF-8 text (it was still scanned for known secret formats)")
}

/// The findings of one env file's content (`via`: the symlink target it was read from).
fn scan_file(path: &str, kind: EnvFileKind, bytes: &[u8], via: Option<&str>) -> Vec<Finding> {
    let (text, problem) = dotenv::decode_lossy(bytes);
    let mut out = Vec::new();
    // Declaration files' problems are reported by the declarations (`files/unreadable`).
    if let (Some(e), false) = (&problem, kind == EnvFileKind::Declaration) {
        let (line, column) = e.line_col();
        out.push(unreadable(path, format!("`{path}` {e}"), line, column));
    }
    let declaration = kind == EnvFileKind::Declaration;
    let help = if declaration {
        "replace the value with a placeholder, and rotate the secret: it stays in git history".to_string()
    } else {
        untrack_help(path)
    };
    let through = via
        .map(|t| format!(" (through the symlink to `{t}`)"))
        .unwrap_or_default();
    let parsed = dotenv::parse_str(&text);
    // Lines already reported through a parsed entry (a multi-line value covers several).
    let mut covered = BTreeSet::new();
    let hits = if declaration {
        // Example values are examples: only a known format is a real secret there.
        parsed
            .entries
            .iter()
            .filter_map(|e| {
                let format = known_secret_format(&e.value)?;
                Some(env::SecretHit {
                    name: e.name.clone(),
                    line: e.line,
                    column: e.column,
                    reason: format!("holds a value of a known secret format ({format})"),
                })
            })
            .collect()
    } else {
        secrets_in_entries(&parsed.entries)
    };
    for hit in hits {
        let spanned = parsed
            .entries
            .iter()
            .find(|e| e.line == hit.line && e.name == hit.name)
            .map_or(0, |e| e.value.matches('\n').count() as u32);
        covered.extend(hit.line..=hit.line.saturating_add(spanned));
        out.push(
            Finding::new(
                &super::SECRETS_ENV_FILE,
                path,
                format!("`{}` in `{path}` {}{through}", hit.name, hit.reason),
            )
            .at(hit.line, hit.column)
            .help(help.clone())
            .name(&hit.name),
        );
    }
    // Lines the parse rejected or skipped (`KEY="sk_live_...` unterminated, `KEY AKIA...`).
    for hit in known_secrets_in_lines(&text) {
        if covered.contains(&hit.line) {
            continue;
        }
        let format = hit.format;
        let mut f = match &hit.name {
            Some(name) => Finding::new(
                &super::SECRETS_ENV_FILE,
                path,
                format!(
                    "`{name}` in `{path}` holds a value of a known secret format ({format}) on a line that is not a valid `NAME=value`{through}"
                ),
            )
            .name(name),
            None => Finding::new(
                &super::SECRETS_ENV_FILE,
                path,
                format!(
                    "`{path}` holds a value of a known secret format ({format}) outside any `NAME=value` assignment{through}"
                ),
            ),
        };
        f = f.at(hit.line, hit.column).help(help.clone());
        out.push(f);
    }
    out
}

/// Symlinks followed before giving up (a loop, or a chain no one writes).
const MAX_LINKS: usize = 8;

/// The snapshot file a committed symlink at `path` (whose blob is `target`) points to, following
/// chains of links; `None` when it leaves the repository or names no snapshot file.
pub(crate) fn symlink_target(snap: &Snapshot, path: &str, target: &[u8]) -> Option<String> {
    let mut current = path.to_string();
    let mut target = String::from_utf8_lossy(target).into_owned();
    for _ in 0..MAX_LINKS {
        let dir = current.rsplit_once('/').map_or("", |(d, _)| d);
        let next = join_inside(dir, &target)?;
        let entry = snap.get(&next)?;
        if entry.kind != EntryKind::Symlink {
            return (entry.kind == EntryKind::File).then_some(next);
        }
        target = String::from_utf8_lossy(&snap.read(&next).ok()?).into_owned();
        current = next;
    }
    None
}

/// `dir/rel` normalized (`.`, `..`), or `None` when it is absolute or climbs out of the root.
fn join_inside(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    crate::snapshot::join_relative(dir, rel).map(|parts| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_stays_inside() {
        assert_eq!(join_inside("", "config/prod").as_deref(), Some("config/prod"));
        assert_eq!(
            join_inside("apps/web", "../../shared/./x").as_deref(),
            Some("shared/x")
        );
        assert_eq!(join_inside("apps", "../../etc/passwd"), None);
        assert_eq!(join_inside("", "/etc/passwd"), None);
    }
}
