//! package.json manifests and workspaces of a snapshot: which packages a file may import.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::diagnostic::Finding;
use crate::rules;
use crate::snapshot::Snapshot;

#[derive(Debug, Default)]
pub struct Manifest {
    pub name: Option<String>,
    /// Names in dependencies, devDependencies, peerDependencies, optionalDependencies.
    pub deps: HashSet<String>,
    pub json: Value,
}

#[derive(Debug, Default)]
pub struct Packages {
    /// Folder ("" = root) -> manifest.
    pub manifests: BTreeMap<String, Manifest>,
    /// Workspace package name -> its folder.
    pub workspaces: HashMap<String, String>,
}

const DEP_FIELDS: &[&str] = &[
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// Parse JSON or JSONC (comments, trailing commas) with a `files/unreadable` finding on error.
#[allow(clippy::result_large_err)] // the error is the finding to report
pub fn parse_jsonc(path: &str, bytes: &[u8]) -> Result<Value, Finding> {
    let unreadable = |line: usize, col: usize, msg: String| {
        Finding::new(rules::FILES_UNREADABLE.id, path, msg)
            .at(line as u32, col as u32)
            .help(format!("fix the syntax of `{path}`; hookctl goes on without it"))
    };
    let mut text = String::from_utf8(bytes.to_vec())
        .map_err(|_| unreadable(0, 0, format!("`{path}` is not valid UTF-8")))?;
    if let Some(stripped) = text.strip_prefix('\u{feff}') {
        text = stripped.to_string();
    }
    let _ = json_strip_comments::strip(&mut text);
    // serde_json stops at 128 levels, which valid files can pass (issue 9.12: 200 nested
    // arrays were "unreadable"). Deeper is parsed on a heap-grown stack (serde_stacker) up to
    // MAX_JSON_DEPTH, a bound kept because dropping a parsed value recurses once per level.
    if let Some((line, col)) = too_deep(&text, MAX_JSON_DEPTH) {
        return Err(unreadable(
            line,
            col,
            format!("`{path}` is nested more than {MAX_JSON_DEPTH} levels deep, hookctl's limit"),
        ));
    }
    let parsed = {
        use serde::Deserialize;
        let mut de = serde_json::Deserializer::from_str(&text);
        de.disable_recursion_limit();
        Value::deserialize(serde_stacker::Deserializer::new(&mut de)).and_then(|v| de.end().map(|()| v))
    };
    parsed.map_err(|e| {
        unreadable(
            e.line(),
            e.column(),
            format!("`{path}` cannot be parsed: {}", strip_position(&e.to_string())),
        )
    })
}

/// Levels of `[`/`{` nesting [`parse_jsonc`] accepts.
pub const MAX_JSON_DEPTH: usize = 1000;

/// 1-based line and column of the first bracket nested deeper than `max` (strings skipped).
fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut line, mut col) = (1, 0);
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            (line, col) = (line + 1, 0);
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth > max {
                    return Some((line, col));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

impl Packages {
    pub fn load(snap: &Snapshot, unreadable: &mut Vec<Finding>) -> Packages {
        let mut pk = Packages::default();
        let paths: Vec<&str> = snap
            .entries()
            .keys()
            .map(String::as_str)
            .filter(|p| {
                (*p == "package.json" || p.ends_with("/package.json")) && !p.contains("node_modules/")
            })
            .collect();
        for (path, bytes) in paths.iter().zip(snap.read_many(&paths)) {
            let Ok(bytes) = bytes else { continue };
            let json = match parse_jsonc(path, &bytes) {
                Ok(v) if v.is_object() => v,
                Ok(_) => {
                    unreadable.push(
                        Finding::new(
                            rules::FILES_UNREADABLE.id,
                            *path,
                            format!("`{path}` is not a JSON object"),
                        )
                        .at(1, 1),
                    );
                    continue;
                }
                Err(f) => {
                    unreadable.push(f);
                    continue;
                }
            };
            let mut deps = HashSet::new();
            for field in DEP_FIELDS {
                if let Some(obj) = json.get(field).and_then(Value::as_object) {
                    deps.extend(obj.keys().cloned());
                }
            }
            let name = json.get("name").and_then(Value::as_str).map(str::to_string);
            let dir = path
                .strip_suffix("package.json")
                .unwrap_or("")
                .trim_end_matches('/')
                .to_string();
            pk.manifests.insert(dir, Manifest { name, deps, json });
        }
        pk.workspaces = pk.find_workspaces(snap, unreadable);
        pk
    }

    /// Workspace globs from the root package.json (`workspaces`: array or `{ packages }`) and
    /// `pnpm-workspace.yaml`, matched against the snapshot's package.json folders.
    fn find_workspaces(&self, snap: &Snapshot, unreadable: &mut Vec<Finding>) -> HashMap<String, String> {
        let mut globs: Vec<String> = Vec::new();
        if let Some(root) = self.manifests.get("") {
            let ws = root.json.get("workspaces");
            let list = ws
                .and_then(Value::as_array)
                .or_else(|| ws?.get("packages")?.as_array());
            globs.extend(
                list.into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            );
        }
        if snap.is_file("pnpm-workspace.yaml") {
            match snap.read("pnpm-workspace.yaml").map(|b| parse_pnpm_workspace(&b)) {
                Ok(Ok(list)) => globs.extend(list),
                Ok(Err((line, msg))) => unreadable.push(
                    Finding::new(rules::FILES_UNREADABLE.id, "pnpm-workspace.yaml", msg)
                        .at(line, 1)
                        .help("fix the syntax of `pnpm-workspace.yaml`; hookctl goes on without it"),
                ),
                Err(_) => {}
            }
        }
        let mut include = globset::GlobSetBuilder::new();
        let mut exclude = globset::GlobSetBuilder::new();
        for g in &globs {
            let (neg, pat) = match g.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, g.as_str()),
            };
            let pat = pat.trim_start_matches("./").trim_end_matches('/');
            if let Ok(glob) = globset::GlobBuilder::new(pat).literal_separator(true).build() {
                if neg {
                    exclude.add(glob)
                } else {
                    include.add(glob)
                };
            }
        }
        let (Ok(include), Ok(exclude)) = (include.build(), exclude.build()) else {
            return HashMap::new();
        };
        let mut out = HashMap::new();
        for (dir, m) in &self.manifests {
            if dir.is_empty() || !include.is_match(dir) || exclude.is_match(dir) {
                continue;
            }
            if let Some(name) = &m.name {
                out.insert(name.clone(), dir.clone());
            }
        }
        out
    }

    /// Is `pkg` declared for a file at `importer`: in the package.json of any folder from the
    /// importer's up to the root, a workspace package, or the name of an enclosing package itself.
    pub fn declared(&self, importer: &str, pkg: &str) -> bool {
        if self.workspaces.contains_key(pkg) {
            return true;
        }
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some(m) = self.manifests.get(dir)
                && (m.deps.contains(pkg) || m.name.as_deref() == Some(pkg))
            {
                return true;
            }
            if dir.is_empty() {
                return false;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }

    /// The folder of the nearest package.json for a file (for the help text).
    pub fn nearest_manifest(&self, importer: &str) -> Option<&str> {
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some((d, _)) = self.manifests.get_key_value(dir) {
                return Some(d.as_str());
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }
}

/// The `packages:` list of a pnpm-workspace.yaml (the only key hookctl needs). A small reader
/// for the block-list and flow-list forms pnpm documents.
pub fn parse_pnpm_workspace(bytes: &[u8]) -> Result<Vec<String>, (u32, String)> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| (1, "`pnpm-workspace.yaml` is not valid UTF-8".to_string()))?;
    let mut out = Vec::new();
    let mut in_packages = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or("").trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if !indented {
            in_packages = false;
            if let Some(rest) = line.strip_prefix("packages:") {
                let rest = rest.trim();
                if rest.is_empty() {
                    in_packages = true;
                } else if let Some(flow) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                    out.extend(flow.split(',').map(unquote).filter(|s| !s.is_empty()));
                } else {
                    return Err((
                        i as u32 + 1,
                        format!("line {}: `packages:` must be a list", i + 1),
                    ));
                }
            } else if !line.contains(':') {
                return Err((i as u32 + 1, format!("line {}: expected `key: value`", i + 1)));
            }
            continue;
        }
        if in_packages {
            let item = line.trim_start();
            match item.strip_prefix('-') {
                Some(v) => out.push(unquote(v)),
                None => {
                    return Err((
                        i as u32 + 1,
                        format!("line {}: expected a `- 'glob'` list item", i + 1),
                    ));
                }
            }
        }
    }
    Ok(out)
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
        .unwrap_or(s)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_workspace_forms() {
        assert_eq!(
            parse_pnpm_workspace(b"packages:\n  - 'apps/*'\n  - \"packages/*\" # libs\n  - '!**/test/**'\ncatalog:\n  react: ^18\n")
                .unwrap(),
            ["apps/*", "packages/*", "!**/test/**"]
        );
        assert_eq!(
            parse_pnpm_workspace(b"packages: [apps/*, 'libs/*']\n").unwrap(),
            ["apps/*", "libs/*"]
        );
        assert_eq!(parse_pnpm_workspace(b"packages:\n  apps\n").unwrap_err().0, 2);
    }

    #[test]
    fn jsonc_errors_have_positions() {
        let v = parse_jsonc("tsconfig.json", b"{\n // c\n \"a\": 1, /* x */\n}\n").unwrap();
        assert_eq!(v["a"], 1);
        let f = parse_jsonc("tsconfig.json", b"{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!((f.line, f.rule), (3, "files/unreadable"));
    }
}
