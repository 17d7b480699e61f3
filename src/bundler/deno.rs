//! Deno's import maps: `imports` of `deno.json`/`deno.jsonc` (and of the file its `importMap`
//! names), for the folder of that file and below, and the names of a Deno workspace's members.
//! A member's map is merged with the workspace root's (every `deno.json` on the walk applies).
//!
//! Bun and Node have no import map of their own: Bun reads tsconfig `paths` and package.json
//! `imports` (`bunfig.toml` configures the runtime, it maps nothing), Node package.json
//! `imports`; the resolver reads both already.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::manifest::parse_jsonc;
use crate::snapshot::Snapshot;

#[derive(Debug, Default)]
pub struct DenoMaps {
    /// Folder -> (key, target) of its map.
    maps: BTreeMap<String, Vec<(String, String)>>,
    /// Workspace members' `name`s (`@fresh/core`).
    members: Vec<String>,
}

/// What a Deno map says about a specifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// A path (repo-relative) the map points at.
    Path(String),
    /// A registry or URL target (`jsr:`, `npm:`, `https:`), or a workspace member.
    Remote(String),
}

/// `deno.json`, `deno.jsonc`, or a variant `deno.<name>.json(c)` that `deno test -c` selects
/// (hono's `runtime-tests/deno-jsx/deno.precompile.json`, a folder with no `deno.json`): its
/// map applies to its folder like an auto-discovered one's.
pub fn is_deno_config(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("deno.") else {
        return false;
    };
    let stem = rest.strip_suffix(".jsonc").or_else(|| rest.strip_suffix(".json"));
    matches!(rest, "json" | "jsonc") || stem.is_some_and(|s| !s.is_empty() && !s.contains('.'))
}

impl DenoMaps {
    pub fn load(snap: &Snapshot) -> DenoMaps {
        let mut out = DenoMaps::default();
        for path in snap.special_paths() {
            let name = path.rsplit('/').next().unwrap_or(path);
            if !is_deno_config(name) || path.contains("node_modules/") {
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
            let mut pairs = entries(&json, &dir);
            if let Some(map) = json.get("importMap").and_then(Value::as_str) {
                let rel = crate::resolve::specifier::join_rel(&dir, map);
                let map_dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                if let Some(m) = snap.read(&rel).ok().and_then(|b| parse_jsonc(&rel, &b).ok()) {
                    pairs.extend(entries(&m, &map_dir));
                }
            }
            if let Some(n) = json.get("name").and_then(Value::as_str) {
                out.members.push(n.to_string());
            }
            // `deno.json` sorts before its variants: its keys are found first.
            out.maps.entry(dir).or_default().extend(pairs);
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// What the `deno.json` maps on the importer's walk say about a bare specifier (the
    /// nearest map first), or a workspace member's name.
    pub fn lookup(&self, importer: &str, spec: &str) -> Option<Mapped> {
        if self.maps.is_empty() {
            return None;
        }
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        let mut in_deno = false;
        loop {
            if let Some(pairs) = self.maps.get(dir) {
                in_deno = true;
                if let Some(m) = map_one(pairs, spec) {
                    return Some(m);
                }
            }
            if dir.is_empty() {
                break;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
        if in_deno
            && let Some(m) = self.members.iter().find(|m| {
                spec.strip_prefix(m.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
        {
            return Some(Mapped::Remote(format!("the Deno workspace member `{m}`")));
        }
        None
    }

    /// Every key and target (for the resolution context's digest).
    pub fn digest_into(&self, h: &mut xxhash_rust::xxh3::Xxh3) {
        for (dir, pairs) in &self.maps {
            h.update(dir.as_bytes());
            for (k, t) in pairs {
                h.update(k.as_bytes());
                h.update(&[0]);
                h.update(t.as_bytes());
                h.update(&[1]);
            }
        }
        for m in &self.members {
            h.update(m.as_bytes());
        }
    }
}

/// `imports` of a map at `dir`: (key, target), a local target made repo-relative.
fn entries(json: &Value, dir: &str) -> Vec<(String, String)> {
    json.get("imports")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let t = v.as_str()?;
            let target = if t.starts_with("./") || t.starts_with("../") {
                let joined = crate::resolve::specifier::join_rel(dir, t);
                if t.ends_with('/') {
                    format!("./{joined}/")
                } else {
                    format!("./{joined}")
                }
            } else {
                t.to_string()
            };
            Some((k.clone(), target))
        })
        .collect()
}

fn map_one(pairs: &[(String, String)], spec: &str) -> Option<Mapped> {
    for (key, target) in pairs {
        let rest = if key == spec {
            ""
        } else if key.ends_with('/') {
            match spec.strip_prefix(key.as_str()) {
                Some(r) => r,
                None => continue,
            }
        } else if let Some(r) = spec.strip_prefix(key.as_str()).and_then(|r| r.strip_prefix('/'))
            // Deno maps a `jsr:`/`npm:` package's subpaths (`@std/http/file-server`).
            && (target.starts_with("jsr:") || target.starts_with("npm:"))
        {
            r
        } else {
            continue;
        };
        return Some(match target.strip_prefix("./") {
            Some(local) => {
                let local = local.trim_end_matches('/');
                Mapped::Path(if rest.is_empty() {
                    local.to_string()
                } else {
                    format!("{local}/{rest}")
                })
            }
            None => Mapped::Remote(format!("`{key}` of a deno.json import map (`{target}`)")),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps() {
        let pairs = entries(
            &serde_json::json!({"imports": {"@std/http": "jsr:@std/http@1", "$lib/": "./src/lib/", "app": "./main.ts", "fresh": "jsr:@fresh/core@2"}}),
            "www",
        );
        assert_eq!(
            map_one(&pairs, "@std/http/file-server").map(|m| matches!(m, Mapped::Remote(_))),
            Some(true)
        );
        assert_eq!(
            map_one(&pairs, "$lib/x.ts"),
            Some(Mapped::Path("www/src/lib/x.ts".into()))
        );
        assert_eq!(map_one(&pairs, "app"), Some(Mapped::Path("www/main.ts".into())));
        assert_eq!(map_one(&pairs, "app/x"), None, "a local target maps no subpath");
        assert_eq!(map_one(&pairs, "other"), None);
    }
}
