//! Aliases that frameworks define outside tsconfig, in a generated tsconfig that a fresh clone
//! lacks (`.svelte-kit/tsconfig.json`, `.nuxt/tsconfig.json`):
//! - SvelteKit: `$lib` is `src/lib` of the folder holding `svelte.config.*` (or a package.json
//!   depending on `@sveltejs/kit`), plus the
//!   `kit.alias` entries written as string literals in that config (read as text, not run);
//! - Nuxt: `~`/`@` are the source folder (`srcDir` when the config sets it as a literal, else
//!   `app/` when it holds Nuxt 4's layout, else the root), `~~`/`@@` the root, `#shared` the
//!   root's `shared/` (Nuxt 3.14+); `#imports`,
//!   `#app`, `#components`, `#build` and the other `#` modules are virtual (Nuxt and its modules
//!   generate them).
//!
//! A tsconfig `paths` entry matching the specifier wins over these (the resolver checks first).

use std::collections::HashMap;

use crate::snapshot::Snapshot;

const SVELTE_CONFIGS: &[&str] = &[
    "svelte.config.js",
    "svelte.config.mjs",
    "svelte.config.cjs",
    "svelte.config.ts",
];
const NUXT_CONFIGS: &[&str] = &[
    "nuxt.config.ts",
    "nuxt.config.js",
    "nuxt.config.mjs",
    "nuxt.config.mts",
];

/// Is `path` a config file read here (part of the resolution context)?
pub fn is_framework_config(name: &str) -> bool {
    SVELTE_CONFIGS.contains(&name) || NUXT_CONFIGS.contains(&name)
}

#[derive(Debug, Default)]
pub struct Frameworks {
    /// Folder of a `svelte.config.*` -> alias name -> repo-relative target.
    svelte: HashMap<String, Vec<(String, String)>>,
    /// Folder of a `nuxt.config.*` -> (source folder, root), repo-relative.
    nuxt: HashMap<String, (String, String)>,
}

impl Frameworks {
    pub fn load(snap: &Snapshot, packages: &super::packages::Packages) -> Frameworks {
        let mut out = Frameworks::default();
        // `svelte.config.*` is optional: a package depending on `@sveltejs/kit` is an app root
        // with the default `$lib` unless a config says otherwise.
        for (dir, m) in &packages.manifests {
            if m.deps.contains("@sveltejs/kit") {
                out.svelte
                    .insert(dir.clone(), vec![("$lib".to_string(), join(dir, "src/lib"))]);
            }
        }
        for path in snap.entries().keys() {
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
            if SVELTE_CONFIGS.contains(&name) {
                let text = snap
                    .read(path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let mut aliases = vec![("$lib".to_string(), join(dir, &files_lib(&text)))];
                for (k, v) in kit_aliases(&text) {
                    aliases.push((k, join(dir, &v)));
                }
                // Longest alias first: `$lib/server` before `$lib`.
                aliases.sort_by_key(|a| std::cmp::Reverse(a.0.len()));
                out.svelte.insert(dir.to_string(), aliases);
            } else if NUXT_CONFIGS.contains(&name) && !out.nuxt.contains_key(dir) {
                let text = snap
                    .read(path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let src = match literal_after(&text, "srcDir") {
                    Some(s) => join(dir, &s),
                    None => {
                        let app = join(dir, "app");
                        let nuxt4 = [
                            "app.vue",
                            "pages",
                            "components",
                            "layouts",
                            "composables",
                            "plugins",
                        ]
                        .iter()
                        .any(|n| {
                            snap.get(&format!("{app}/{n}")).is_some() || snap.is_dir(&format!("{app}/{n}"))
                        });
                        if nuxt4 { app } else { dir.to_string() }
                    }
                };
                out.nuxt.insert(dir.to_string(), (src, dir.to_string()));
            }
        }
        out
    }

    /// The repo-relative path an aliased specifier names, if a framework of the importer's
    /// nearest config defines the alias.
    pub fn alias(&self, importer: &str, spec: &str) -> Option<String> {
        if self.svelte.is_empty() && self.nuxt.is_empty() {
            return None;
        }
        let first = spec.as_bytes().first()?;
        if !matches!(first, b'$' | b'~' | b'@' | b'#') {
            return None;
        }
        if *first == b'$' {
            let aliases = nearest(&self.svelte, importer)?;
            for (name, target) in aliases {
                if let Some(rest) = strip_alias(spec, name) {
                    return Some(join(target, rest));
                }
            }
            return None;
        }
        let (src, root) = nearest(&self.nuxt, importer)?;
        let shared = join(root, "shared");
        for (name, target) in [
            ("~~", root),
            ("@@", root),
            ("~", src),
            ("@", src),
            ("#shared", &shared),
        ] {
            if let Some(rest) = strip_alias(spec, name) {
                return Some(join(target, rest));
            }
        }
        None
    }

    /// Every SvelteKit alias as (name, repo-relative target).
    pub fn svelte_aliases(&self) -> impl Iterator<Item = (&str, &str)> {
        self.svelte
            .values()
            .flatten()
            .map(|(n, t)| (n.as_str(), t.as_str()))
    }

    /// A `#name` module of a Nuxt app (generated by Nuxt or one of its modules).
    pub fn is_nuxt_virtual(&self, importer: &str, spec: &str) -> bool {
        spec.starts_with('#') && nearest(&self.nuxt, importer).is_some()
    }
}

/// `spec` is `name` or `name/...`: the rest after `name/` (empty for `name` alone).
fn strip_alias<'s>(spec: &'s str, name: &str) -> Option<&'s str> {
    let rest = spec.strip_prefix(name)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

/// The value for the folder nearest `importer` (its own folder first, then each parent).
fn nearest<'m, T>(map: &'m HashMap<String, T>, importer: &str) -> Option<&'m T> {
    let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
    loop {
        if let Some(v) = map.get(dir) {
            return Some(v);
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
}

/// `dir` joined with a relative path (`./`, `../` and trailing `/` normalised).
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// `kit.files.lib` when written as a literal, else SvelteKit's default `src/lib`.
fn files_lib(text: &str) -> String {
    literal_after(text, "lib").unwrap_or_else(|| "src/lib".to_string())
}

/// The string literal right after `key:` (or `'key':`) in a config's text.
fn literal_after(text: &str, key: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(
        r#"(?m)(?:^|[\s,{{])['"]?{}['"]?\s*:\s*['"`]([^'"`\n]+)['"`]"#,
        regex::escape(key)
    ))
    .ok()?;
    re.captures(text).map(|c| c[1].to_string())
}

/// `kit.alias` entries whose key and value are string literals: `alias: { $db: 'src/db' }`.
fn kit_aliases(text: &str) -> Vec<(String, String)> {
    let Some(at) = regex::Regex::new(r"\balias\s*:\s*\{")
        .ok()
        .and_then(|r| r.find(text))
    else {
        return Vec::new();
    };
    let body = &text[at.end()..];
    let body = &body[..body.find('}').unwrap_or(body.len())];
    let Ok(pair) = regex::Regex::new(r#"['"]?([$@~#\w][\w$@~#/*-]*)['"]?\s*:\s*['"]([^'"\n]+)['"]"#) else {
        return Vec::new();
    };
    pair.captures_iter(body)
        .map(|c| {
            let key = c[1].trim_end_matches("/*").to_string();
            let value = c[2].trim_end_matches("/*").to_string();
            (key, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literal_settings() {
        assert_eq!(
            files_lib("export default { kit: { adapter: adapter() } }"),
            "src/lib"
        );
        assert_eq!(files_lib("kit: { files: { lib: 'app/lib' } }"), "app/lib");
        assert_eq!(
            kit_aliases("kit: { alias: { $db: 'src/db', '$ui/*': \"src/ui/*\" }, files: {} }"),
            vec![("$db".into(), "src/db".into()), ("$ui".into(), "src/ui".into())]
        );
        assert_eq!(
            literal_after("export default defineNuxtConfig({ srcDir: 'src/' })", "srcDir").as_deref(),
            Some("src/")
        );
        assert_eq!(strip_alias("~~/x", "~"), None);
        assert_eq!(strip_alias("~/x", "~"), Some("x"));
        assert_eq!(strip_alias("$libs/x", "$lib"), None);
        assert_eq!(join("apps/web", "./src/lib/"), "apps/web/src/lib");
    }
}
