//! What one bundler or framework config file tells the bundler, read with the static evaluator
//! ([`super::eval`]): aliases, env names, client env prefixes, framework folders, and what could
//! not be known.
//!
//! | family | files | read |
//! |---|---|---|
//! | Vite | `vite.config.*`, `vitest.config.*` | `resolve.alias` (object and `{ find, replacement }` array, `find` a string or regex), `test.alias`, `resolve.extensions`, `define` of `process.env.X`/`import.meta.env.X`, `envPrefix` |
//! | webpack | `webpack.config.*` | `resolve.alias` (`x$` exact keys, `false`, arrays), `resolve.extensions`, also of an array of configs |
//! | Vue CLI | `vue.config.*` | `configureWebpack` as a webpack config; a `chainWebpack` or `configureWebpack` function that mentions `alias` makes aliases uncertain (Vue CLI's own `@` -> `src` and `.vue` come from `@vue/cli-service`) |
//! | Nuxt | `nuxt.config.*` | `alias`, `srcDir`; `~`/`@`/`~~`/`@@`/`#shared` and its `#` modules |
//! | `SvelteKit` | `svelte.config.*` | `kit.alias`, `kit.files.lib` |
//! | Next.js | `next.config.*` | `env` keys, `turbopack.resolveAlias`/`experimental.turbo.resolveAlias`; a `webpack` function that mentions `alias` makes aliases uncertain |
//! | Astro | `astro.config.*` | `vite.resolve.alias`, `vite.define` |
//! | Rspack | `rspack.config.*` | as webpack |
//! | Rsbuild | `rsbuild.config.*` | `resolve.alias`, `source.alias`, `moduleFederation.options.remotes` |
//!
//! Module Federation: the `remotes` of a `new …ModuleFederationPlugin…({ remotes })` in a
//! webpack or Rspack config's `plugins` (and Rsbuild's `moduleFederation.options`) are served
//! at run time by another build: `remote/Button` is no package and no file. So is a
//! `new DllReferencePlugin({ scope })`'s scope, served by the referenced DLL. A config that
//! mentions Module Federation where hookctl cannot read the remotes makes imports that may name
//! one uncertain.

use serde::{Deserialize, Serialize};

use super::eval::{self, Obj, Val};

/// Bump when what a config yields changes: cached [`ConfigFacts`] of older readers are ignored.
pub const READER_VERSION: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Vite,
    Webpack,
    Nuxt,
    Svelte,
    Next,
    Astro,
    VueCli,
    Rsbuild,
}

/// The config family of a file name (`vite.config.ts`), if hookctl reads it.
pub fn family(name: &str) -> Option<Family> {
    let (stem, ext) = name.rsplit_once('.')?;
    if !matches!(ext, "js" | "mjs" | "cjs" | "ts" | "mts" | "cts") {
        return None;
    }
    Some(match stem {
        "vite.config" | "vitest.config" => Family::Vite,
        "webpack.config" | "rspack.config" => Family::Webpack,
        "rsbuild.config" => Family::Rsbuild,
        "nuxt.config" => Family::Nuxt,
        "svelte.config" => Family::Svelte,
        "next.config" => Family::Next,
        "astro.config" => Family::Astro,
        "vue.config" => Family::VueCli,
        _ => return None,
    })
}

/// How an alias matches a specifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Find {
    /// `name` or `name/…` (Vite and Nuxt keys, webpack keys without `$`, `SvelteKit` keys).
    Prefix(String),
    /// Only `name` itself (webpack `name$`).
    Exact(String),
    /// `prefix*suffix` (`SvelteKit` `$ui/*`).
    Pattern(String, String),
    /// A regex literal's pattern (Vite `{ find: /^~\// }`).
    Regex(String),
}

/// Where an alias points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A file-system path, relative to the config's folder (`path.resolve(__dirname, "src")`,
    /// a `SvelteKit` or Nuxt path, a Vite root-absolute `/src`).
    Path(String),
    /// A specifier used as written (`"vue/dist/vue.esm-bundler.js"`, a Vite relative
    /// replacement, which Vite resolves from the importer).
    Spec(String),
    /// No file of the repository: the module is ignored (webpack `false`), or a Module
    /// Federation remote serves it at run time.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub find: Find,
    /// Several for a webpack array (the first that exists wins).
    pub targets: Vec<Target>,
}

/// What one config file yields. Paths are relative to the config's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFacts {
    /// In the order the bundler tries them.
    pub aliases: Vec<Alias>,
    /// Why the config may define aliases that are not in `aliases` (a spread of a call, an
    /// imported value, a computed key, a function).
    pub aliases_uncertain: Option<String>,
    /// Env names the bundler defines or inlines (`next.config` `env`, Vite `define`).
    pub env_names: Vec<String>,
    /// Why the config may define env names that are not in `env_names`.
    pub env_uncertain: Option<String>,
    /// Vite `envPrefix`: names with these prefixes reach client code. `None`: not set.
    pub env_prefixes: Option<Vec<String>>,
    /// `envPrefix` is set to something hookctl cannot evaluate.
    pub env_prefixes_uncertain: bool,
    /// Nuxt `srcDir` / `SvelteKit` `kit.files.lib`, when written as literals.
    pub src_dir: Option<String>,
    /// Vite/webpack `resolve.extensions` (`.vue`): what an extensionless import probes.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Why the config may name Module Federation remotes that are not in `aliases`.
    #[serde(default)]
    pub remotes_uncertain: Option<String>,
}

/// Read a config file of `family`; `name` is its file name.
pub fn read(family: Family, name: &str, src: &[u8]) -> ConfigFacts {
    let siblings = |spec: &str| {
        let file = spec.trim_start_matches("./");
        let stem = file.split('.').take(2).collect::<Vec<_>>().join(".");
        !file.contains('/') && self::family(&format!("{stem}.ts")).is_some()
    };
    let v = eval::exported_config(src, name, &siblings);
    let mut out = ConfigFacts::default();
    match family {
        Family::Vite => vite(&v, &mut out),
        Family::Webpack => match &v {
            Val::Arr(items, why) => {
                for item in items {
                    webpack(item, &mut out);
                }
                if let Some(w) = why {
                    out.aliases_uncertain.get_or_insert(w.clone());
                }
            }
            _ => webpack(&v, &mut out),
        },
        Family::Nuxt => {
            aliases_object(&v, &["alias"], Kind::Nuxt, &mut out);
            out.src_dir = v
                .at(&["srcDir"])
                .ok()
                .flatten()
                .and_then(Val::as_str)
                .map(str::to_string);
            vite_under(&v, &["vite"], &mut out);
        }
        Family::Svelte => {
            aliases_object(&v, &["kit", "alias"], Kind::Svelte, &mut out);
            out.src_dir = v
                .at(&["kit", "files", "lib"])
                .ok()
                .flatten()
                .and_then(Val::as_str)
                .map(str::to_string);
        }
        Family::Next => next(&v, src, &mut out),
        Family::Astro => vite_under(&v, &["vite"], &mut out),
        Family::VueCli => vue_cli(&v, src, &mut out),
        Family::Rsbuild => {
            for at in [&["source", "alias"][..], &["resolve", "alias"][..]] {
                aliases_object(&v, at, Kind::Webpack, &mut out);
            }
            remotes(v.at(&["moduleFederation", "options"]), &mut out);
        }
    }
    let federation = ["ModuleFederation", "moduleFederation", "remotes"]
        .iter()
        .any(|w| memchr::memmem::find(src, w.as_bytes()).is_some());
    let read_some = out.aliases.iter().any(|a| a.targets == [Target::Ignored]);
    if federation && !read_some && out.remotes_uncertain.is_none() {
        out.remotes_uncertain = Some("it configures Module Federation in a way hookctl cannot read".into());
    }
    out
}

/// Module Federation plugins in a webpack/Rspack `plugins` list: their remotes.
fn federation_plugins(v: &Val, out: &mut ConfigFacts) {
    let Ok(Some(Val::Arr(items, _))) = v.at(&["plugins"]) else {
        return;
    };
    for item in items {
        let Val::New(name, args) = item else { continue };
        if name.contains("ModuleFederationPlugin") {
            remotes(Ok(args.first()), out);
        } else if name == "DllReferencePlugin" {
            // `scope: "beta"`: `beta/x` is module `./x` of the referenced DLL bundle.
            match args.first().map(|o| o.at(&["scope"])) {
                Some(Ok(Some(Val::Str(scope)))) => out.aliases.push(Alias {
                    find: Find::Prefix(scope.clone()),
                    targets: vec![Target::Ignored],
                }),
                Some(Ok(None)) => {}
                _ => {
                    out.remotes_uncertain
                        .get_or_insert("a `DllReferencePlugin` scope it cannot read".into());
                }
            }
        }
    }
}

/// The `remotes` of Module Federation options (`{ name: "url" }` or `["name"]`): each name is an
/// alias of nothing in the repository.
fn remotes(options: Result<Option<&Val>, String>, out: &mut ConfigFacts) {
    let remotes = match options {
        Ok(Some(o)) => o.at(&["remotes"]),
        Ok(None) => return,
        Err(why) => Err(why),
    };
    let names: Vec<String> = match remotes {
        Ok(Some(Val::Obj(o))) => {
            if let Some(why) = &o.unknown {
                out.remotes_uncertain.get_or_insert(why.clone());
            }
            o.entries.iter().map(|(k, _)| k.clone()).collect()
        }
        Ok(Some(Val::Arr(items, why))) => {
            if let Some(w) = why {
                out.remotes_uncertain.get_or_insert(w.clone());
            }
            items.iter().filter_map(Val::as_str).map(str::to_string).collect()
        }
        Ok(None) => return,
        Ok(Some(other)) => {
            out.remotes_uncertain.get_or_insert(unknown_reason(other));
            return;
        }
        Err(why) => {
            out.remotes_uncertain.get_or_insert(why);
            return;
        }
    };
    for name in names {
        out.aliases.push(Alias {
            find: Find::Prefix(name),
            targets: vec![Target::Ignored],
        });
    }
}

/// `next.config.*`: its `env` names, its Turbopack aliases, and whether a `webpack` function may
/// add aliases.
fn next(v: &Val, src: &[u8], out: &mut ConfigFacts) {
    match v.at(&["env"]) {
        Ok(Some(Val::Obj(o))) => {
            out.env_names.extend(o.entries.iter().map(|(k, _)| k.clone()));
            out.env_uncertain.clone_from(&o.unknown);
        }
        Ok(Some(other)) => out.env_uncertain = Some(unknown_reason(other)),
        Ok(None) => {}
        Err(why) => out.env_uncertain = Some(why),
    }
    aliases_object(v, &["turbopack", "resolveAlias"], Kind::Turbopack, out);
    aliases_object(
        v,
        &["experimental", "turbo", "resolveAlias"],
        Kind::Turbopack,
        out,
    );
    let webpack_fn = matches!(v.at(&["webpack"]), Ok(Some(Val::Unknown(_))) | Err(_));
    if webpack_fn && memchr::memmem::find(src, b"alias").is_some() {
        out.aliases_uncertain
            .get_or_insert("its `webpack` function may add aliases".into());
    }
}

/// `vue.config.js`: `configureWebpack` read as webpack, and whether a function form or
/// webpack-chain may add aliases.
fn vue_cli(v: &Val, src: &[u8], out: &mut ConfigFacts) {
    match v.at(&["configureWebpack"]) {
        Ok(Some(w @ Val::Obj(_))) => webpack(w, out),
        Ok(None) => {}
        Ok(Some(_)) | Err(_) => {
            if memchr::memmem::find(src, b"alias").is_some() {
                out.aliases_uncertain
                    .get_or_insert("its `configureWebpack` function may add aliases".into());
            }
        }
    }
    // webpack-chain: `config.resolve.alias.set(..)`.
    let chain = matches!(v.at(&["chainWebpack"]), Ok(Some(_)) | Err(_));
    if chain && memchr::memmem::find(src, b".alias").is_some() {
        out.aliases_uncertain
            .get_or_insert("its `chainWebpack` function may add aliases".into());
    }
}

/// `resolve.extensions` (an array of strings) at `path`.
fn extensions(v: &Val, path: &[&str], out: &mut ConfigFacts) {
    if let Ok(Some(Val::Arr(items, _))) = v.at(path) {
        for e in items.iter().filter_map(Val::as_str) {
            // webpack's `"..."` stands for the defaults.
            if e.starts_with('.') && e.len() > 1 && e != "..." && !out.extensions.iter().any(|x| x == e) {
                out.extensions.push(e.to_string());
            }
        }
    }
}

/// webpack `resolve.alias` (an object; the array form names each alias in an object).
fn webpack(v: &Val, out: &mut ConfigFacts) {
    extensions(v, &["resolve", "extensions"], out);
    federation_plugins(v, out);
    match v.at(&["resolve", "alias"]) {
        Ok(Some(Val::Arr(items, why))) => {
            if let Some(w) = why {
                out.aliases_uncertain.get_or_insert(w.clone());
            }
            for item in items {
                let o = item.as_obj();
                let name = o.and_then(|o| o.get("name")).and_then(Val::as_str);
                let only = o.and_then(|o| o.get("onlyModule")) == Some(&Val::Bool(true));
                let target = o.and_then(|o| o.get("alias")).and_then(|t| match t {
                    Val::Bool(false) => Some(Target::Ignored),
                    t => target(t, Kind::Webpack),
                });
                match (name, target) {
                    (Some(n), Some(t)) => out.aliases.push(Alias {
                        find: if only {
                            Find::Exact(n.into())
                        } else {
                            Find::Prefix(n.into())
                        },
                        targets: vec![t],
                    }),
                    _ => {
                        out.aliases_uncertain.get_or_insert(unknown_reason(item));
                    }
                }
            }
        }
        _ => aliases_object(v, &["resolve", "alias"], Kind::Webpack, out),
    }
}

fn unknown_reason(v: &Val) -> String {
    match v {
        Val::Unknown(why) => why.clone(),
        _ => "a value that is not an object".into(),
    }
}

fn vite(v: &Val, out: &mut ConfigFacts) {
    vite_under(v, &[], out);
    // Vitest's own `test.alias`.
    let mut test = ConfigFacts::default();
    vite_alias(v, &["test", "alias"], &mut test);
    out.aliases.extend(test.aliases);
    if out.aliases_uncertain.is_none() {
        out.aliases_uncertain = test.aliases_uncertain;
    }
}

/// A Vite config at `base` (the root, or Nuxt's and Astro's `vite`).
fn vite_under(v: &Val, base: &[&str], out: &mut ConfigFacts) {
    let at =
        |rest: &[&'static str]| -> Vec<&str> { base.iter().copied().chain(rest.iter().copied()).collect() };
    vite_alias(v, &at(&["resolve", "alias"]), out);
    extensions(v, &at(&["resolve", "extensions"]), out);
    match v.at(&at(&["define"])) {
        Ok(Some(Val::Obj(o))) => {
            for (k, _) in &o.entries {
                let k = k.trim();
                if let Some(name) = k
                    .strip_prefix("process.env.")
                    .or_else(|| k.strip_prefix("import.meta.env."))
                    .filter(|n| !n.is_empty() && !n.contains('.'))
                {
                    out.env_names.push(name.to_string());
                }
            }
            if let Some(why) = &o.unknown {
                out.env_uncertain.get_or_insert(why.clone());
            }
        }
        Ok(Some(other)) => {
            out.env_uncertain.get_or_insert(unknown_reason(other));
        }
        Ok(None) => {}
        Err(why) => {
            out.env_uncertain.get_or_insert(why);
        }
    }
    match v.at(&at(&["envPrefix"])) {
        Ok(Some(Val::Str(s))) => out.env_prefixes = Some(vec![s.clone()]),
        Ok(Some(Val::Arr(items, None))) if items.iter().all(|i| i.as_str().is_some()) => {
            out.env_prefixes = Some(items.iter().filter_map(Val::as_str).map(str::to_string).collect());
        }
        Ok(None) => {}
        _ => out.env_prefixes_uncertain = true,
    }
}

/// Vite `resolve.alias`: an object, or an array of `{ find, replacement }`.
fn vite_alias(v: &Val, path: &[&str], out: &mut ConfigFacts) {
    match v.at(path) {
        Ok(None) => {}
        Ok(Some(Val::Obj(_))) => aliases_object(v, path, Kind::Vite, out),
        Ok(Some(Val::Arr(items, why))) => {
            if let Some(w) = why {
                out.aliases_uncertain.get_or_insert(w.clone());
            }
            for item in items {
                let Some(o) = item.as_obj() else {
                    out.aliases_uncertain.get_or_insert(unknown_reason(item));
                    continue;
                };
                let find = match o.get("find") {
                    Some(Val::Str(s)) => Find::Prefix(s.clone()),
                    Some(Val::Regex(r)) => Find::Regex(r.clone()),
                    other => {
                        out.aliases_uncertain
                            .get_or_insert(other.map_or("an alias without `find`".into(), unknown_reason));
                        continue;
                    }
                };
                match o.get("replacement").and_then(|r| target(r, Kind::Vite)) {
                    Some(t) => push_vite(out, find, t),
                    None => {
                        out.aliases_uncertain
                            .get_or_insert(format!("the replacement of `{}`", find_text(&find)));
                    }
                }
            }
        }
        Ok(Some(other)) => {
            out.aliases_uncertain.get_or_insert(unknown_reason(other));
        }
        Err(why) => {
            out.aliases_uncertain.get_or_insert(why);
        }
    }
}

fn find_text(f: &Find) -> String {
    match f {
        Find::Prefix(s) | Find::Exact(s) => s.clone(),
        Find::Pattern(a, b) => format!("{a}*{b}"),
        Find::Regex(r) => format!("/{r}/"),
    }
}

/// Vite drops a trailing `/` of both `find` and a path replacement (`'~/': '/src/'`).
fn push_vite(out: &mut ConfigFacts, find: Find, target: Target) {
    let (find, target) = match (find, target) {
        (Find::Prefix(f), Target::Path(p)) if f.len() > 1 && f.ends_with('/') && p.ends_with('/') => (
            Find::Prefix(f.trim_end_matches('/').to_string()),
            Target::Path(p.trim_end_matches('/').to_string()),
        ),
        (Find::Prefix(f), Target::Spec(p)) if f.len() > 1 && f.ends_with('/') && p.ends_with('/') => (
            Find::Prefix(f.trim_end_matches('/').to_string()),
            Target::Spec(p.trim_end_matches('/').to_string()),
        ),
        other => other,
    };
    out.aliases.push(Alias {
        find,
        targets: vec![target],
    });
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Vite,
    Webpack,
    Nuxt,
    Svelte,
    Turbopack,
}

/// An alias object (`{ "@": path, … }`) at `path` in the config.
fn aliases_object(v: &Val, path: &[&str], kind: Kind, out: &mut ConfigFacts) {
    let o: &Obj = match v.at(path) {
        Ok(None) => return,
        Ok(Some(Val::Obj(o))) => o,
        Ok(Some(other)) => {
            out.aliases_uncertain.get_or_insert(unknown_reason(other));
            return;
        }
        Err(why) => {
            out.aliases_uncertain.get_or_insert(why);
            return;
        }
    };
    if let Some(why) = &o.unknown {
        out.aliases_uncertain.get_or_insert(why.clone());
    }
    for (key, value) in &o.entries {
        let targets: Vec<Target> = match value {
            Val::Arr(items, _) if kind == Kind::Webpack => {
                items.iter().filter_map(|i| target(i, kind)).collect()
            }
            Val::Bool(false) if kind == Kind::Webpack => vec![Target::Ignored],
            other => target(other, kind).into_iter().collect(),
        };
        if targets.is_empty() {
            out.aliases_uncertain
                .get_or_insert(format!("the target of `{key}`"));
            continue;
        }
        let find = match kind {
            Kind::Webpack => match key.strip_suffix('$') {
                Some(exact) => Find::Exact(exact.to_string()),
                None => Find::Prefix(key.clone()),
            },
            Kind::Svelte | Kind::Turbopack => match key.split_once('*') {
                Some((pre, post)) => Find::Pattern(pre.to_string(), post.to_string()),
                None => Find::Prefix(key.clone()),
            },
            Kind::Vite | Kind::Nuxt => Find::Prefix(key.clone()),
        };
        if kind == Kind::Vite {
            for t in targets {
                push_vite(out, find.clone(), t);
            }
        } else {
            let targets = targets
                .into_iter()
                .map(|t| match (&find, t) {
                    // SvelteKit `'$ui/*': 'src/ui/*'`: the `*` stands for the rest.
                    (Find::Pattern(..), Target::Path(p)) => Target::Path(p.replace('*', "$*")),
                    (_, t) => t,
                })
                .collect();
            out.aliases.push(Alias { find, targets });
        }
    }
}

/// An alias value as a target. `SvelteKit`'s and Nuxt's strings are paths from the project
/// folder, as are Turbopack's relative ones; Vite's and webpack's are used as written (a
/// root-absolute `/src` is the Vite root's folder).
fn target(v: &Val, kind: Kind) -> Option<Target> {
    match v {
        Val::Path(p) => Some(Target::Path(p.clone())),
        Val::Str(s) if s.is_empty() => None,
        Val::Str(s) => Some(match kind {
            Kind::Svelte | Kind::Nuxt => Target::Path(eval::join("", s)),
            Kind::Turbopack if s.starts_with('.') => Target::Path(eval::join("", s)),
            Kind::Vite if s.starts_with('/') => Target::Path(eval::join("", s)),
            _ => Target::Spec(s.clone()),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_as(name: &str, src: &str) -> ConfigFacts {
        read(family(name).unwrap(), name, src.as_bytes())
    }

    fn prefix(f: &str, t: Target) -> Alias {
        Alias {
            find: Find::Prefix(f.into()),
            targets: vec![t],
        }
    }

    #[test]
    fn families() {
        assert_eq!(family("vite.config.mts"), Some(Family::Vite));
        assert_eq!(family("vitest.config.ts"), Some(Family::Vite));
        assert_eq!(family("next.config.mjs"), Some(Family::Next));
        assert_eq!(family("next.config.json"), None);
        assert_eq!(family("vite.config.ts.timestamp-1.mjs"), None);
    }

    #[test]
    fn vite_object_array_regex_define_prefix() {
        let f = read_as(
            "vite.config.ts",
            r#"
            import { defineConfig } from "vite";
            import path from "path";
            export default defineConfig({
              envPrefix: ["VITE_", "APP_"],
              define: { "process.env.API": JSON.stringify("x"), "import.meta.env.BUILD": "1", "process.env": {} },
              resolve: {
                alias: [
                  { find: "@", replacement: path.resolve(__dirname, "src") },
                  { find: /^~icons-local\/(.*)$/, replacement: path.resolve(__dirname, "icons") + "/$1" },
                  { find: "vue", replacement: "vue/dist/vue.esm-bundler.js" },
                ],
              },
            });
            "#,
        );
        assert_eq!(
            f.aliases,
            vec![
                prefix("@", Target::Path("src".into())),
                Alias {
                    find: Find::Regex("^~icons-local\\/(.*)$".into()),
                    targets: vec![Target::Path("icons/$1".into())]
                },
                prefix("vue", Target::Spec("vue/dist/vue.esm-bundler.js".into())),
            ]
        );
        assert_eq!(f.aliases_uncertain, None);
        assert_eq!(f.env_names, ["API", "BUILD"]);
        assert_eq!(f.env_prefixes, Some(vec!["VITE_".into(), "APP_".into()]));

        let f = read_as(
            "vite.config.ts",
            "export default { resolve: { alias: { '~/': `${path.resolve(__dirname, 'src')}/`, '/@': '/lib', ...other() } } }",
        );
        assert_eq!(
            f.aliases,
            vec![
                prefix("~", Target::Path("src".into())),
                prefix("/@", Target::Path("lib".into()))
            ]
        );
        assert!(f.aliases_uncertain.unwrap().contains("other()"));
    }

    #[test]
    fn webpack_nuxt_svelte_next_astro() {
        let f = read_as(
            "webpack.config.js",
            "const path = require('path');\nmodule.exports = { resolve: { alias: { Utils$: path.resolve(__dirname, 'src/utils.js'), lib: [path.resolve(__dirname, 'a'), path.resolve(__dirname, 'b')], ignored: false } } };",
        );
        assert_eq!(f.aliases[0].find, Find::Exact("Utils".into()));
        assert_eq!(f.aliases[1].targets.len(), 2);
        assert_eq!(f.aliases[2].targets, vec![Target::Ignored]);

        let f = read_as(
            "nuxt.config.ts",
            "export default defineNuxtConfig({ srcDir: 'src/', alias: { '@images': fileURLToPath(new URL('./assets/images', import.meta.url)), '@x': './x' } })",
        );
        assert_eq!(f.src_dir.as_deref(), Some("src/"));
        assert_eq!(
            f.aliases,
            vec![
                prefix("@images", Target::Path("assets/images".into())),
                prefix("@x", Target::Path("x".into()))
            ]
        );

        let f = read_as(
            "svelte.config.js",
            "const config = { kit: { adapter: adapter(), files: { lib: 'app/lib' }, alias: { $db: 'src/db', '$ui/*': 'src/ui/*' } } };\nexport default config;",
        );
        assert_eq!(f.src_dir.as_deref(), Some("app/lib"));
        assert_eq!(
            f.aliases[1],
            Alias {
                find: Find::Pattern("$ui/".into(), String::new()),
                targets: vec![Target::Path("src/ui/$*".into())]
            }
        );

        let f = read_as(
            "next.config.ts",
            "const basePath = process.env.BASE_PATH || '';\nconst nextConfig = { env: { basePath, cloudMode: process.env.CLOUD_MODE || '' }, webpack(config) { config.resolve.alias['x'] = 'y'; return config } };\nexport default withNextIntl(nextConfig);",
        );
        assert_eq!(f.env_names, ["basePath", "cloudMode"]);
        assert_eq!(f.env_uncertain, None);
        assert!(f.aliases_uncertain.is_some());

        let f = read_as(
            "astro.config.mjs",
            "export default defineConfig({ vite: { resolve: { alias: { '@c': '/src/components' } } } })",
        );
        assert_eq!(
            f.aliases,
            vec![prefix("@c", Target::Path("src/components".into()))]
        );
    }

    #[test]
    fn unknown_configs_are_uncertain() {
        let f = read_as(
            "vite.config.ts",
            "import config from './base';\nexport default config;",
        );
        assert!(
            f.aliases_uncertain
                .unwrap()
                .contains("`config` imported from `./base`")
        );
        let f = read_as(
            "vite.config.ts",
            "export default defineConfig({ plugins: [vue()] })",
        );
        assert_eq!(f, ConfigFacts::default(), "a config without aliases is certain");
        let f = read_as(
            "vitest.config.ts",
            "import viteConfig from './vite.config';\nexport default mergeConfig(viteConfig, defineConfig({ test: { environment: 'jsdom' } }));",
        );
        assert_eq!(
            f.aliases_uncertain, None,
            "the sibling vite.config is read on its own"
        );
        let f = read_as(
            "vite.config.ts",
            "export default { envPrefix: cond ? 'A_' : 'B_' }",
        );
        assert!(f.env_prefixes_uncertain);
    }
}
