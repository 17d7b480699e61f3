//! `node/version`: the Node version files (`.nvmrc`, `.node-version`, `.tool-versions`,
//! package.json `volta.node`) name a version outside the root package.json `engines.node`
//! range, or disagree with each other in one folder. Ranges are npm's (`node-semver`).
//! Aliases that name no fixed major (`node`, `latest`, `stable`, `lts/*`, `system`) are never
//! an error; LTS codenames (`lts/iron`) stand for their major. In `hookctl run pre-deploy`,
//! the running `node --version` is checked against the range too ([`running_node`]).

use std::collections::BTreeMap;

use node_semver::{Range, Version};

use crate::diagnostic::Finding;
use crate::resolve::packages::Packages;
use crate::snapshot::Snapshot;

/// The version files nvm, fnm, nodenv, asdf/mise read (`volta` lives in package.json).
pub const VERSION_FILES: &[&str] = &[".nvmrc", ".node-version", ".tool-versions"];

/// Node's LTS codenames and their majors (<https://github.com/nodejs/Release/blob/main/CODENAMES.md>).
const LTS: &[(&str, u64)] = &[
    ("argon", 4),
    ("boron", 6),
    ("carbon", 8),
    ("dubnium", 10),
    ("erbium", 12),
    ("fermium", 14),
    ("gallium", 16),
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
];

/// One place that names a Node version.
#[derive(Debug)]
struct Source {
    path: String,
    /// `.nvmrc`, or `package.json` `volta.node`.
    label: String,
    line: u32,
    spec: String,
    /// What the spec allows; `None` for an alias with no fixed major.
    range: Option<Range>,
    /// package.json `volta.node` (not a version file).
    volta: bool,
}

/// The versions a spec written in a version file means: `20.11.1` exactly, `20`/`20.11` any of
/// that major/minor, `lts/iron` major 20. `None` for unknown aliases and unparsable text.
fn spec_range(spec: &str) -> Option<Range> {
    let s = spec.trim();
    let lower = s.to_ascii_lowercase();
    if let Some(name) = lower.strip_prefix("lts/") {
        let major = LTS.iter().find(|(n, _)| *n == name)?.1;
        return Range::parse(format!("{major}.x")).ok();
    }
    let v = s.strip_prefix('v').unwrap_or(s);
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let parts = v.split('.').filter(|p| !p.is_empty()).count();
    let text = match parts {
        1 | 2 => format!("{v}.x"),
        3 => format!("={v}"),
        _ => return None,
    };
    Range::parse(text).ok()
}

/// Line (1-based) and text of the first non-blank, non-comment line.
fn first_line(text: &str) -> Option<(u32, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i as u32 + 1, l.trim()))
        .find(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// The `nodejs X` / `node X` line of a `.tool-versions` (the first version listed wins).
fn tool_versions(text: &str) -> Option<(u32, &str)> {
    text.lines().enumerate().find_map(|(i, l)| {
        let l = l.split('#').next().unwrap_or("");
        let mut words = l.split_whitespace();
        matches!(words.next(), Some("nodejs" | "node")).then_some(())?;
        Some((i as u32 + 1, words.next()?))
    })
}

/// Line of the first `"key"` in a JSON text (1 when not found).
fn json_key_line(text: &str, key: &str) -> u32 {
    let needle = format!("\"{key}\"");
    text.find(&needle).map_or(1, |at| {
        text[..at].bytes().filter(|&b| b == b'\n').count() as u32 + 1
    })
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The root package.json's `engines.node`: (spec, range, line).
fn engines(snap: &Snapshot, packages: &Packages) -> Option<(String, Range, u32)> {
    let spec = packages
        .manifests
        .get("")?
        .json
        .get("engines")?
        .get("node")?
        .as_str()?;
    let range = Range::parse(spec.trim()).ok()?;
    let text = snap.read("package.json").ok()?;
    let line = json_key_line(&String::from_utf8_lossy(&text), "engines");
    Some((spec.to_string(), range, line))
}

fn sources(snap: &Snapshot, packages: &Packages) -> Vec<Source> {
    let mut out = Vec::new();
    // Version files are dotfiles: special paths.
    for path in snap.special_paths() {
        let name = path.rsplit('/').next().unwrap_or(path);
        if !VERSION_FILES.contains(&name) || path.split('/').any(|c| c == "node_modules") {
            continue;
        }
        let Ok(bytes) = snap.read(path) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let found = if name == ".tool-versions" {
            tool_versions(&text)
        } else {
            first_line(&text)
        };
        let Some((line, spec)) = found else { continue };
        out.push(Source {
            path: path.clone(),
            label: format!("`{path}`"),
            line,
            spec: spec.to_string(),
            range: spec_range(spec),
            volta: false,
        });
    }
    for (dir, m) in &packages.manifests {
        if dir.split('/').any(|c| c == "node_modules") {
            continue;
        }
        let Some(spec) = m
            .json
            .get("volta")
            .and_then(|v| v.get("node"))
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        let path = if dir.is_empty() {
            "package.json".to_string()
        } else {
            format!("{dir}/package.json")
        };
        let line = snap
            .read(&path)
            .map_or(1, |b| json_key_line(&String::from_utf8_lossy(&b), "volta"));
        out.push(Source {
            label: format!("`{path}` `volta.node`"),
            path,
            line,
            spec: spec.to_string(),
            range: spec_range(spec),
            volta: true,
        });
    }
    out
}

pub fn check(snap: &Snapshot, packages: &Packages) -> Vec<Finding> {
    let engines = engines(snap, packages);
    let sources = sources(snap, packages);
    let mut out = Vec::new();
    if let Some((spec, range, _)) = &engines {
        for s in &sources {
            let Some(r) = &s.range else { continue };
            if range.allows_any(r) {
                continue;
            }
            out.push(
                Finding::new(
                    &super::NODE_VERSION,
                    s.path.as_str(),
                    format!(
                        "{} names Node `{}`, outside the root package.json `engines.node` (`{spec}`)",
                        s.label, s.spec
                    ),
                )
                .at(s.line, 1)
                .help(format!(
                    "change {} to a version `{spec}` allows, or change `engines.node` in package.json if the app now needs Node `{}`",
                    s.label, s.spec
                ))
                .name(format!("{} {spec}", s.spec)),
            );
        }
    }
    // Disagreement between the sources of one folder (what one checkout's tools read).
    let mut by_folder: BTreeMap<&str, Vec<&Source>> = BTreeMap::new();
    for s in &sources {
        by_folder.entry(folder(&s.path)).or_default().push(s);
    }
    for group in by_folder.values() {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                let (Some(ra), Some(rb)) = (&a.range, &b.range) else {
                    continue;
                };
                if ra.allows_any(rb) {
                    continue;
                }
                // Report on the one outside the range when only one is; else on the version
                // file rather than package.json's `volta` (the pin that tools install exactly).
                let outside = |s: &Source| {
                    engines
                        .as_ref()
                        .is_some_and(|(_, r, _)| s.range.as_ref().is_some_and(|x| !r.allows_any(x)))
                };
                let a_first = match (outside(a), outside(b)) {
                    (true, false) => true,
                    (false, true) => false,
                    _ => b.volta && !a.volta,
                };
                let (wrong, right) = if a_first { (a, b) } else { (b, a) };
                out.push(
                    Finding::new(
                        &super::NODE_VERSION,
                        wrong.path.as_str(),
                        format!(
                            "{} names Node `{}` but {} names `{}`: tools that read one or the other run different Node versions",
                            wrong.label, wrong.spec, right.label, right.spec
                        ),
                    )
                    .at(wrong.line, 1)
                    .help(format!(
                        "change {} to `{}` (or {} to `{}`), so every tool runs the same Node",
                        wrong.label, right.spec, right.label, wrong.spec
                    ))
                    .name(format!("{} vs {} {}", wrong.spec, right.path, right.spec)),
                );
            }
        }
    }
    out
}

/// The version the `node` on PATH reports (`v20.1.0`), if there is one that answers.
pub fn installed_node() -> Option<String> {
    let out = std::process::Command::new("node")
        .arg("--version")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `hookctl run pre-deploy`: the running Node (`node --version`, its output) against the root
/// `engines.node`. `None` when there is no range or the version cannot be read.
pub fn running_node(snap: &Snapshot, packages: &Packages, version: &str) -> Option<Finding> {
    let (spec, range, line) = engines(snap, packages)?;
    let v = version.trim();
    let parsed = Version::parse(v.strip_prefix('v').unwrap_or(v)).ok()?;
    if range.satisfies(&parsed) {
        return None;
    }
    Some(
        Finding::new(
            &super::NODE_VERSION,
            "package.json",
            format!("the running Node is `{v}`, outside `engines.node` (`{spec}`)"),
        )
        .at(line, 1)
        .help(format!(
            "switch to a Node version `{spec}` allows (`nvm use`, `fnm use`, `volta install node@…`) before deploying"
        ))
        .name(format!("running {v} {spec}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(range: &str, spec: &str) -> Option<bool> {
        let r = Range::parse(range).unwrap();
        spec_range(spec).map(|s| r.allows_any(&s))
    }

    #[test]
    fn specs_against_npm_ranges() {
        assert_eq!(allows(">=18 <21", "20.11.1"), Some(true));
        assert_eq!(allows(">=18 <21", "v21.0.0"), Some(false));
        assert_eq!(allows(">=18 <21", "16"), Some(false));
        assert_eq!(allows(">=18 <21", "20"), Some(true));
        assert_eq!(allows("^20.10", "20.9.0"), Some(false));
        assert_eq!(allows("^20.10", "20.12"), Some(true));
        assert_eq!(allows("20.x", "lts/iron"), Some(true));
        assert_eq!(allows("18.x || 20.x", "lts/jod"), Some(false));
        assert_eq!(allows("18.x || 20.x", "18.19.0"), Some(true));
        assert_eq!(allows(">=22", "lts/krypton"), Some(true));
        for alias in ["node", "latest", "lts/*", "stable", "system", "lts/unknown", ""] {
            assert_eq!(allows(">=18", alias), None, "{alias}");
        }
    }

    #[test]
    fn tool_versions_lines() {
        assert_eq!(
            tool_versions("python 3.12\nnodejs 20.1.0 18.0.0\n"),
            Some((2, "20.1.0"))
        );
        assert_eq!(tool_versions("# c\nnode 18 # pinned\n"), Some((2, "18")));
        assert_eq!(tool_versions("ruby 3\n"), None);
        assert_eq!(first_line("\n# x\nv20.1.0\n"), Some((3, "v20.1.0")));
    }
}
