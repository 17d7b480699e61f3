//! Every line of `data/providers.txt`, and what [`Bundler::provide`] answers, over in-memory
//! snapshots.

use super::*;
use crate::snapshot::Snapshot;

fn bundler(files: &[(&str, &str)]) -> (Bundler, tempfile::TempDir) {
    let root = tempfile::tempdir().expect("temp dir");
    let snap = Snapshot::from_files(
        root.path().to_path_buf(),
        files.iter().map(|(p, c)| (p.to_string(), c.to_string())),
    );
    let packages = Packages::load(&snap, &mut Vec::new());
    (Bundler::load(&snap, &packages), root)
}

/// A package name a line's key stands for (`@unocss/*` -> `@unocss/x`).
fn declaring(key: &str) -> String {
    match key.strip_suffix('*') {
        Some(prefix) if prefix.ends_with('/') => format!("{prefix}x"),
        Some(prefix) => format!("{prefix}x"),
        None => key.to_string(),
    }
}

fn example(pattern: &str) -> String {
    match pattern.strip_suffix('*') {
        Some(prefix) if prefix.ends_with('/') || prefix.ends_with(':') => format!("{prefix}x/y"),
        Some(prefix) => format!("{prefix}X"),
        None => pattern.to_string(),
    }
}

/// Each line provides each of its patterns to a package that declares its key, and nothing to
/// one that does not (for `-`: to a file with no package.json, and not beside one).
#[test]
fn every_provider_line() {
    for p in providers::table() {
        let (with, without) = if p.key == "-" {
            (vec![], vec![("package.json", "{}".to_string())])
        } else {
            let dep = declaring(p.key);
            (
                vec![(
                    "package.json",
                    format!(r#"{{"devDependencies": {{"{dep}": "1"}}}}"#),
                )],
                vec![("package.json", r#"{"dependencies": {"other": "1"}}"#.to_string())],
            )
        };
        for pattern in &p.patterns {
            let s = example(pattern);
            for (files, expect) in [(&with, true), (&without, false)] {
                // A line scoped to a file name (`module@next.config.*`) applies to such a file
                // only: checked with one, and with `src/a.ts` beside it.
                let importer = p.file.map_or("src/a.ts".to_string(), |f| f.replace('*', "js"));
                let mut files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
                files.push((importer.as_str(), ""));
                files.push(("src/a.ts", ""));
                let (b, _root) = bundler(&files);
                let ask = |at: &str| match p.what {
                    What::Module => matches!(b.provide(at, &s), Provided::Virtual(_)),
                    What::Env => b.env_defined_by(at, &s).is_some(),
                    What::Extension => b.probes(at, &s),
                };
                let got = ask(&importer);
                if p.file.is_some() {
                    assert!(
                        !ask("src/a.ts"),
                        "line `{} {:?}@{:?} {pattern}` applies beyond its file",
                        p.key,
                        p.what,
                        p.file
                    );
                }
                assert_eq!(
                    got, expect,
                    "line `{} {:?} {pattern}`: `{s}` with {files:?}",
                    p.key, p.what
                );
            }
        }
    }
}

#[test]
fn a_provider_applies_to_the_declaring_package_and_the_root() {
    let (b, _root) = bundler(&[
        (
            "package.json",
            r#"{"workspaces": ["apps/*"], "devDependencies": {"unocss": "1"}}"#,
        ),
        (
            "apps/web/package.json",
            r#"{"name": "web", "dependencies": {"unplugin-icons": "1"}}"#,
        ),
        ("apps/api/package.json", r#"{"name": "api"}"#),
        ("apps/web/src/a.ts", ""),
        ("apps/api/src/a.ts", ""),
    ]);
    assert!(matches!(
        b.provide("apps/web/src/a.ts", "~icons/mdi/home"),
        Provided::Virtual(_)
    ));
    assert_eq!(b.provide("apps/api/src/a.ts", "~icons/mdi/home"), Provided::No);
    // The workspace root's dependency applies to every package.
    assert!(matches!(
        b.provide("apps/api/src/a.ts", "uno.css"),
        Provided::Virtual(_)
    ));
}

#[test]
fn aliases_of_the_nearest_config() {
    let (b, _root) = bundler(&[
        ("package.json", "{}"),
        (
            "web/vite.config.ts",
            "import path from 'path';\nexport default { resolve: { alias: { '@helpers': path.resolve(__dirname, '../common/src/helpers'), util: 'util-x', '/@': '/src' } } }",
        ),
        ("web/src/a.ts", ""),
        ("other/a.ts", ""),
    ]);
    assert_eq!(
        b.provide("web/src/a.ts", "@helpers/backend/GQLClient"),
        Provided::Alias {
            targets: vec![Rewritten::Path("common/src/helpers/backend/GQLClient".into())],
            by: "web/vite.config.ts".into()
        }
    );
    assert!(matches!(
        b.provide("web/src/a.ts", "util/x"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Spec("util-x/x".into())]
    ));
    assert!(matches!(
        b.provide("web/src/a.ts", "/@/x"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Path("web/src/x".into())]
    ));
    assert_eq!(b.provide("web/src/a.ts", "@helpersx"), Provided::No);
    assert_eq!(b.provide("other/a.ts", "@helpers/x"), Provided::No);
}

#[test]
fn regex_and_pattern_aliases() {
    let (b, _root) = bundler(&[
        (
            "vite.config.mjs",
            "import { fileURLToPath, URL } from 'node:url';\nexport default { resolve: { alias: [{ find: /^@\\/(.*)$/, replacement: fileURLToPath(new URL('./src/$1', import.meta.url)) }] } }",
        ),
        (
            "app/svelte.config.js",
            "export default { kit: { alias: { '$ui/*': 'src/ui/*', $db: 'src/db' } } }",
        ),
        ("src/a.ts", ""),
        ("app/src/a.ts", ""),
    ]);
    assert!(matches!(
        b.provide("src/a.ts", "@/lib/x"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Path("src/lib/x".into())]
    ));
    assert!(matches!(
        b.provide("app/src/a.ts", "$ui/button"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Path("app/src/ui/button".into())]
    ));
    assert!(matches!(
        b.provide("app/src/a.ts", "$lib/x"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Path("app/src/lib/x".into())]
    ));
}

#[test]
fn uncertain_configs_and_nuxt_modules() {
    let (b, _root) = bundler(&[
        (
            "vite.config.ts",
            "import { aliases } from './aliases';\nexport default { resolve: { alias: aliases } }",
        ),
        ("src/a.ts", ""),
        ("site/nuxt.config.ts", "export default defineNuxtConfig({})"),
        ("site/pages/index.vue", ""),
    ]);
    assert!(
        matches!(b.provide("src/a.ts", "@x/y"), Provided::Uncertain(why) if why.contains("`aliases` imported from `./aliases`"))
    );
    assert_eq!(b.provide("src/a.ts", "./x"), Provided::No);
    assert!(matches!(
        b.provide("site/pages/index.vue", "#my-module"),
        Provided::Fallback(_)
    ));
    assert!(matches!(
        b.provide("site/pages/index.vue", "~/components/x"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Path("site/components/x".into())]
    ));
}

/// `env_defined_by` keeps its answers per folder and name: asked in any order, for files of
/// one folder and of others, it answers as the walk does (a memo keyed by name alone, or kept
/// across folders, answers `basePath` for `web/` too).
#[test]
fn env_answers_kept_per_folder_equal_the_walk() {
    let (b, _root) = bundler(&[
        ("next.config.mjs", "export default { env: { basePath: '/x' } }"),
        ("app/page.tsx", ""),
        ("app/other.tsx", ""),
        ("web/package.json", r#"{"dependencies": {"@solidjs/start": "1"}}"#),
        (
            "web/vite.config.ts",
            "export default { define: { 'import.meta.env.PKG_NAME': '\"x\"' } }",
        ),
        ("web/src/a.ts", ""),
        ("web/src/b.ts", ""),
        ("web/a.ts", ""),
    ]);
    let paths = [
        "app/page.tsx",
        "web/src/a.ts",
        "app/other.tsx",
        "web/src/b.ts",
        "web/a.ts",
        "x.ts",
    ];
    let names = ["basePath", "PKG_NAME", "START_APP", "OTHER"];
    for round in 0..2 {
        for (i, path) in paths.iter().enumerate() {
            for name in names.iter().cycle().skip(i + round).take(names.len()) {
                assert_eq!(
                    b.env_defined_by(path, name),
                    b.env_defined_by_uncached(path, name),
                    "{name} at {path} (round {round})"
                );
            }
        }
    }
    assert!(b.env_defined_by("app/other.tsx", "basePath").is_some());
    assert!(b.env_defined_by("web/src/b.ts", "basePath").is_none());
    assert!(b.env_defined_by("web/a.ts", "START_APP").is_some());
    assert!(b.env_defined_by("app/page.tsx", "START_APP").is_none());
}

#[test]
fn env_names_of_configs() {
    let (b, _root) = bundler(&[
        (
            "next.config.mjs",
            "const basePath = process.env.BASE_PATH || '';\nexport default { env: { basePath } }",
        ),
        ("app/page.tsx", ""),
        (
            "web/vite.config.ts",
            "export default { define: { 'import.meta.env.PKG_NAME': '\"x\"' }, envPrefix: 'APP_' }",
        ),
        ("web/src/a.ts", ""),
    ]);
    assert_eq!(
        b.env_defined_by("app/page.tsx", "basePath").as_deref(),
        Some("next.config.mjs")
    );
    assert_eq!(b.env_defined_by("app/page.tsx", "BASE_PATH"), None);
    assert_eq!(
        b.env_defined_by("web/src/a.ts", "PKG_NAME").as_deref(),
        Some("web/vite.config.ts")
    );
    assert_eq!(
        b.env_prefixes("web/src/a.ts"),
        Some(Ok(&["APP_".to_string()][..]))
    );
}

#[test]
fn deno_maps_walk_up_to_the_workspace() {
    let (b, _root) = bundler(&[
        (
            "deno.json",
            r#"{"workspace": ["./packages/*"], "imports": {"@std/http": "jsr:@std/http@1", "@/": "./src/"}}"#,
        ),
        (
            "packages/core/deno.json",
            r#"{"name": "@my/core", "imports": {"preact": "npm:preact@10"}}"#,
        ),
        ("packages/core/a.ts", ""),
    ]);
    assert!(matches!(
        b.provide("packages/core/a.ts", "@std/http/file-server"),
        Provided::Virtual(_)
    ));
    assert!(matches!(
        b.provide("packages/core/a.ts", "preact/hooks"),
        Provided::Virtual(_)
    ));
    assert!(matches!(
        b.provide("packages/core/a.ts", "@my/core/x"),
        Provided::Virtual(_)
    ));
    assert!(matches!(
        b.provide("packages/core/a.ts", "@/x.ts"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Path("src/x.ts".into())]
    ));
    assert_eq!(b.provide("packages/core/a.ts", "lodash"), Provided::No);
}

/// A variant config that `deno test -c` selects maps its folder (hono's runtime tests); a JSON
/// file of another name does not.
#[test]
fn deno_config_variants_map_their_folder() {
    assert!(super::deno::is_deno_config("deno.precompile.json"));
    assert!(super::deno::is_deno_config("deno.react-jsx.jsonc"));
    assert!(!super::deno::is_deno_config("deno.json.bak"));
    assert!(!super::deno::is_deno_config("deno.a.b.json"));
    assert!(!super::deno::is_deno_config("denoconfig.json"));
    let (b, _root) = bundler(&[
        (
            "jsx/deno.precompile.json",
            r#"{"imports": {"@std/assert": "jsr:@std/assert@^1.0.3"}}"#,
        ),
        ("jsx/a.test.tsx", ""),
        (
            "other/imports.json",
            r#"{"imports": {"@std/path": "jsr:@std/path@1"}}"#,
        ),
        ("other/a.ts", ""),
    ]);
    assert!(matches!(
        b.provide("jsx/a.test.tsx", "@std/assert"),
        Provided::Virtual(_)
    ));
    assert_eq!(b.provide("other/a.ts", "@std/path"), Provided::No);
}

#[test]
fn a_config_applies_within_its_own_package() {
    let (b, _root) = bundler(&[
        ("package.json", r#"{"workspaces": ["packages/*"]}"#),
        (
            "vitest.config.mts",
            "import path from 'path';\nexport default { test: {}, resolve: { alias: [{ find: /^@acme\\/ui\\/(.*?)/, replacement: path.resolve(__dirname, './packages/ui/$1') }] } }",
        ),
        ("tests/a.test.ts", ""),
        ("docs/package.json", r#"{"name": "docs"}"#),
        ("docs/src/a.js", ""),
    ]);
    assert!(matches!(
        b.provide("tests/a.test.ts", "@acme/ui/index.css"),
        Provided::Alias { targets, .. } if targets == vec![Rewritten::Path("packages/ui/index.css".into())]
    ));
    assert_eq!(b.provide("docs/src/a.js", "@acme/ui/index.css"), Provided::No);
}
