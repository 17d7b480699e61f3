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
    manager: Manager,
    /// Folder -> the keys of its `deno.json`/`deno.jsonc` import map (`std/`, `@std/http`).
    deno_imports: BTreeMap<String, Vec<String>>,
    /// Packages declared by the root or any workspace package, when the package manager hoists
    /// them into the root `node_modules` (npm, yarn classic or `nodeLinker: node-modules`, pnpm
    /// with `node-linker=hoisted`/`shamefully-hoist`), where every workspace file resolves them.
    hoisted: Option<HashSet<String>>,
}

/// The repository's package manager.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    #[default]
    Npm,
    Pnpm,
    Yarn,
    Bun,
}

/// `deno.json`/`deno.jsonc` import maps: folder -> keys (also of an `importMap` file it names).
fn load_deno_imports(snap: &Snapshot) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for path in snap.entries().keys() {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name != "deno.json" && name != "deno.jsonc" || path.contains("node_modules/") {
            continue;
        }
        let dir = path
            .strip_suffix(name)
            .unwrap_or("")
            .trim_end_matches('/')
            .to_string();
        let Some(json) = snap.read(path).ok().and_then(|b| parse_jsonc(path, &b).ok()) else {
            continue;
        };
        let mut keys: Vec<String> = json
            .get("imports")
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        if let Some(map) = json.get("importMap").and_then(Value::as_str) {
            let rel = super::specifier::join_rel(&dir, map);
            if let Some(m) = snap.read(&rel).ok().and_then(|b| parse_jsonc(&rel, &b).ok()) {
                keys.extend(
                    m.get("imports")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|o| o.keys().cloned()),
                );
            }
        }
        out.insert(dir, keys);
    }
    out
}

/// Which package manager, and does it hoist dependencies into the root `node_modules`?
fn detect_manager(snap: &Snapshot, root: Option<&Manifest>) -> (Manager, bool) {
    let declared = root
        .and_then(|m| m.json.get("packageManager"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let text = |p: &str| {
        snap.is_file(p)
            .then(|| snap.read(p).ok())
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let setting = |text: &str, keys: &[&str]| {
        text.lines().any(|l| {
            let l: String = l
                .split('#')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            keys.iter().any(|k| l.eq_ignore_ascii_case(k))
        })
    };
    let manager = if declared.starts_with("pnpm@")
        || (declared.is_empty() && (snap.is_file("pnpm-lock.yaml") || snap.is_file("pnpm-workspace.yaml")))
    {
        Manager::Pnpm
    } else if declared.starts_with("yarn@") || (declared.is_empty() && snap.is_file("yarn.lock")) {
        Manager::Yarn
    } else if declared.starts_with("bun@")
        || (declared.is_empty() && (snap.is_file("bun.lockb") || snap.is_file("bun.lock")))
    {
        Manager::Bun
    } else {
        Manager::Npm
    };
    let hoisted = match manager {
        Manager::Npm | Manager::Bun => true,
        Manager::Pnpm => {
            setting(&text(".npmrc"), &["node-linker=hoisted", "shamefully-hoist=true"])
                || setting(
                    &text("pnpm-workspace.yaml"),
                    &["nodeLinker:hoisted", "shamefullyHoist:true"],
                )
        }
        Manager::Yarn => {
            let berry = snap.is_file(".yarnrc.yml")
                || declared.split('@').nth(1).is_some_and(|v| !v.starts_with('1'));
            // Berry defaults to Plug'n'Play, which is strict.
            !berry
                || setting(
                    &text(".yarnrc.yml"),
                    &[
                        "nodeLinker:node-modules",
                        "nodeLinker:\"node-modules\"",
                        "nodeLinker:'node-modules'",
                    ],
                )
        }
    };
    (manager, hoisted)
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
        pk.deno_imports = load_deno_imports(snap);
        let (manager, hoisted) = detect_manager(snap, pk.manifests.get(""));
        pk.manager = manager;
        if hoisted {
            let members = std::iter::once("").chain(pk.workspaces.values().map(String::as_str));
            pk.hoisted = Some(
                members
                    .filter_map(|d| pk.manifests.get(d))
                    .flat_map(|m| m.deps.iter().cloned())
                    .collect(),
            );
        }
        pk
    }

    /// Does the nearest `deno.json` import map (walking up from the importer) map this bare
    /// specifier (an exact key, or a key ending in `/` that prefixes it)?
    pub fn deno_import(&self, importer: &str, spec: &str) -> bool {
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some(keys) = self.deno_imports.get(dir) {
                return keys.iter().any(|k| {
                    // Deno maps a package key's subpaths too (`@std/http/file-server`).
                    k == spec
                        || spec
                            .strip_prefix(k.as_str())
                            .is_some_and(|rest| k.ends_with('/') || rest.starts_with('/'))
                });
            }
            if dir.is_empty() {
                return false;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }

    pub fn manager(&self) -> Manager {
        self.manager
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
    /// importer's up to the root, a workspace package, the name of an enclosing package itself,
    /// or provided by a declared framework (`data/provided-packages.txt`).
    pub fn declared(&self, importer: &str, pkg: &str) -> bool {
        if self.workspaces.contains_key(pkg) {
            return true;
        }
        if self.declared_here(importer, pkg) {
            return true;
        }
        if self.hoisted.as_ref().is_some_and(|h| h.contains(pkg)) && self.in_workspace(importer) {
            return true;
        }
        provided_by(pkg).any(|framework| self.declared_here(importer, framework))
    }

    /// Is the file inside the root package or a workspace package (where hoisted packages are
    /// resolvable)?
    fn in_workspace(&self, importer: &str) -> bool {
        match self.nearest_manifest(importer) {
            Some("") => true,
            Some(dir) => self.workspaces.values().any(|w| w == dir),
            None => false,
        }
    }

    fn declared_here(&self, importer: &str, pkg: &str) -> bool {
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

    /// The install command of the repository's package manager (from its lockfile or
    /// `packageManager` field), for help texts.
    pub fn install_command(&self) -> &'static str {
        match self.manager() {
            Manager::Pnpm => "pnpm install",
            Manager::Yarn => "yarn install",
            Manager::Bun => "bun install",
            Manager::Npm => "npm install",
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

/// The frameworks that provide `pkg` to their dependents (`data/provided-packages.txt`).
fn provided_by(pkg: &str) -> impl Iterator<Item = &'static str> + '_ {
    include_str!("../../data/provided-packages.txt")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(move |l| {
            let mut words = l.split_whitespace();
            let framework = words.next()?;
            words.any(|w| w == pkg).then_some(framework)
        })
}

/// The `packages:` list of a pnpm-workspace.yaml, read with a real YAML parser (serde-saphyr):
/// block lists indented or not, flow lists, quoted values holding ` #`, comments, anchors, and
/// the other keys pnpm reads (`catalog:`, `catalogs:`, settings) accepted. Errors carry the line.
pub fn parse_pnpm_workspace(bytes: &[u8]) -> Result<Vec<String>, (u32, String)> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Workspace {
        #[serde(default)]
        packages: Option<Vec<String>>,
        /// `catalog:` — package name -> version range (read so that a malformed one is named).
        #[serde(default)]
        #[allow(dead_code)]
        catalog: Option<std::collections::BTreeMap<String, Scalar>>,
        /// `catalogs:` — catalog name -> package name -> version range.
        #[serde(default)]
        #[allow(dead_code)]
        catalogs: Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, Scalar>>>,
    }
    /// A version range as YAML may type it (`^18`, `18`, `1.5`).
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Scalar {
        Text(String),
        Int(i64),
        Float(f64),
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| (1, "`pnpm-workspace.yaml` is not valid UTF-8".to_string()))?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let ws: Option<Workspace> = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line().max(1)) as u32;
        let message = e.without_snippet().to_string();
        let message = message
            .lines()
            .next()
            .unwrap_or("invalid YAML")
            .trim()
            .to_string();
        (line, format!("line {line}: {message}"))
    })?;
    Ok(ws.and_then(|w| w.packages).unwrap_or_default())
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
        assert!(parse_pnpm_workspace(b"packages:\n  apps\n").is_err());
    }

    /// Valid YAML the hand-written reader refused (issue 10), each a `files/unreadable` that
    /// blocked the commit.
    #[test]
    fn pnpm_workspace_yaml_forms_pnpm_accepts() {
        // Unindented block list.
        assert_eq!(
            parse_pnpm_workspace(b"packages:\n- \"packages/*\"\n- apps/*\n").unwrap(),
            ["packages/*", "apps/*"]
        );
        // Flow list over several lines, with a trailing comma.
        assert_eq!(
            parse_pnpm_workspace(b"packages: [\n  'apps/*',\n  \"libs/*\",\n]\n").unwrap(),
            ["apps/*", "libs/*"]
        );
        // A quoted value containing ` #` is not a comment.
        assert_eq!(
            parse_pnpm_workspace(b"packages:\n  - \"odd #dir/*\" # a comment\n  - 'b #c'\n").unwrap(),
            ["odd #dir/*", "b #c"]
        );
        // catalog: and catalogs:, with numbers and ranges, and other settings.
        let text = b"packages:\n  - packages/*\ncatalog:\n  react: ^18.2.0\n  lodash: 4\ncatalogs:\n  react17:\n    react: ^17.0.2\n    react-dom: 17.0.2\nonlyBuiltDependencies:\n  - esbuild\n";
        assert_eq!(parse_pnpm_workspace(text).unwrap(), ["packages/*"]);
        // No packages key, or an empty file: no workspace globs.
        assert!(
            parse_pnpm_workspace(b"catalog:\n  react: ^18\n")
                .unwrap()
                .is_empty()
        );
        assert!(parse_pnpm_workspace(b"# nothing\n").unwrap().is_empty());
        // Broken YAML names its line.
        let (line, msg) = parse_pnpm_workspace(b"packages:\n  - a\n  b: [\n").unwrap_err();
        assert!(line >= 2, "{line}: {msg}");
        assert!(msg.starts_with(&format!("line {line}")), "{msg}");
    }

    #[test]
    fn jsonc_errors_have_positions() {
        let v = parse_jsonc("tsconfig.json", b"{\n // c\n \"a\": 1, /* x */\n}\n").unwrap();
        assert_eq!(v["a"], 1);
        let f = parse_jsonc("tsconfig.json", b"{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!((f.line, f.rule), (3, "files/unreadable"));
    }
}
