//! Imports and env reads in `.vue`, `.svelte`, `.astro` and `.mdx` files: each form blocked at
//! a real `git commit` when it imports an untracked file, and its valid twin silent.

use crate::common::*;

/// A repository with a pre-commit hook, `files` committed first (the baseline), then `staged`
/// written and staged; returns the `git commit` run.
fn commit_with(base: &[(&str, &str)], staged: &[(&str, &str)], untracked: &[(&str, &str)]) -> (Repo, Run) {
    let r = Repo::new();
    r.write("README.md", "x\n");
    for (p, t) in base {
        r.write(p, t);
    }
    r.commit_all("base").install_shim("pre-commit");
    for (p, t) in untracked {
        r.write(p, t);
    }
    let mut paths = Vec::new();
    for (p, t) in staged {
        r.write(p, t);
        paths.push(*p);
    }
    r.add(&paths);
    let run = r.commit(&["-q", "-m", "change"]);
    (r, run)
}

const MDX: &str =
    "---\ntitle: Hello\n---\n\nimport { Chart } from '../components/Chart'\n\n# Hello\n\n<Chart />\n";
const CHART: &str = "export const Chart = () => null\n";

#[test]
fn mdx_page_importing_an_untracked_component_is_refused() {
    let (r, run) = commit_with(
        &[],
        &[("pages/hello.mdx", MDX)],
        &[("components/Chart.tsx", CHART)],
    );
    cmd_snapshot!(r, "sfc_mdx_page_importing_an_untracked_component_is_refused", run);
    assert_eq!(r.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "1");
}

#[test]
fn mdx_page_importing_a_staged_component_passes() {
    let (_, run) = commit_with(
        &[],
        &[("pages/hello.mdx", MDX), ("components/Chart.tsx", CHART)],
        &[],
    );
    run.ok();
    // and an import inside a code fence or a paragraph is text, not code
    let page = "# Usage\n\n```js\nimport { x } from './not-here'\n```\n\nWrite import { y } from './not-here'\nimport z from './not-here-either'\n";
    let (_, run) = commit_with(&[], &[("docs/usage.mdx", page)], &[]);
    run.ok();
}

const VUE: &str = "<template>\n  <UserCard :user=\"user\" />\n</template>\n\n<script setup lang=\"ts\">\nimport UserCard from './UserCard.vue'\nimport { useUser } from '../composables/useUser'\nconst user = useUser()\n</script>\n\n<style scoped>\n.a { color: red }\n</style>\n";

#[test]
fn vue_script_setup_importing_an_untracked_file_is_refused_and_shown_at_its_line() {
    let (r, run) = commit_with(
        &[("src/components/UserCard.vue", "<template><div/></template>\n")],
        &[("src/components/Profile.vue", VUE)],
        &[(
            "src/composables/useUser.ts",
            "export const useUser = () => ({})\n",
        )],
    );
    cmd_snapshot!(
        r,
        "sfc_vue_script_setup_importing_an_untracked_file_is_refused_and_shown_at_its_line",
        run
    );
    let out = r.hookctl(&["--no-color", "check"]);
    snapshot!(r, "sfc_vue_untracked_human", out.stdout);
}

#[test]
fn vue_script_setup_with_its_imports_staged_passes() {
    let (_, run) = commit_with(
        &[("src/components/UserCard.vue", "<template><div/></template>\n")],
        &[
            ("src/components/Profile.vue", VUE),
            (
                "src/composables/useUser.ts",
                "export const useUser = () => ({})\n",
            ),
        ],
        &[],
    );
    run.ok();
}

#[test]
fn vue_import_of_an_untracked_component_by_extension_is_refused() {
    let (r, run) = commit_with(
        &[(
            "src/composables/useUser.ts",
            "export const useUser = () => ({})\n",
        )],
        &[("src/components/Profile.vue", VUE)],
        &[("src/components/UserCard.vue", "<template><div/></template>\n")],
    );
    cmd_snapshot!(
        r,
        "sfc_vue_import_of_an_untracked_component_by_extension_is_refused",
        run
    );
}

const SVELTE_CONFIG: &str =
    "import adapter from '@sveltejs/adapter-auto';\nexport default { kit: { adapter: adapter() } };\n";
const SVELTE: &str = "<script lang=\"ts\">\n  import { formatDate } from '$lib/format';\n  import { page } from '$app/stores';\n  import { API_KEY } from '$env/static/private';\n  export let date: Date;\n</script>\n\n<p>{formatDate(date)}</p>\n";

fn svelte_base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("svelte.config.js", SVELTE_CONFIG),
        (
            "package.json",
            "{\"name\":\"app\",\"devDependencies\":{\"@sveltejs/kit\":\"2\",\"@sveltejs/adapter-auto\":\"3\",\"svelte\":\"4\"}}\n",
        ),
        (
            "tsconfig.json",
            "{ \"extends\": \"./.svelte-kit/tsconfig.json\", \"compilerOptions\": { \"strict\": true } }\n",
        ),
        (".gitignore", ".svelte-kit\nnode_modules\n"),
    ]
}

#[test]
fn svelte_component_importing_an_untracked_lib_file_and_an_undeclared_env_var_is_refused() {
    let (r, run) = commit_with(
        &svelte_base(),
        &[("src/routes/+page.svelte", SVELTE)],
        &[(
            "src/lib/format.ts",
            "export const formatDate = (d: Date) => d.toISOString()\n",
        )],
    );
    cmd_snapshot!(
        r,
        "sfc_svelte_component_importing_an_untracked_lib_file_and_an_undeclared_env_var_is_refused",
        run
    );
    let got = check_findings(&r, &[]);
    assert_eq!(
        got,
        vec![
            finding("imports/untracked", "src/routes/+page.svelte", "$lib/format"),
            finding("env/undeclared", "src/routes/+page.svelte", "API_KEY"),
        ]
    );
}

#[test]
fn svelte_component_with_lib_staged_and_env_declared_passes() {
    let (_, run) = commit_with(
        &svelte_base(),
        &[
            ("src/routes/+page.svelte", SVELTE),
            (
                "src/lib/format.ts",
                "export const formatDate = (d: Date) => d.toISOString()\n",
            ),
            (".env.example", "API_KEY=\n"),
        ],
        &[],
    );
    run.ok();
}

#[test]
fn sveltekit_public_env_names_need_the_public_prefix() {
    let page = "<script>\n  import { PUBLIC_URL, SITE_NAME } from '$env/static/public';\n  import { env } from '$env/dynamic/public';\n  const a = env.PUBLIC_B + env.OTHER;\n</script>\n";
    let (r, _) = commit_with(
        &svelte_base(),
        &[
            ("src/routes/+page.svelte", page),
            (".env.example", "PUBLIC_URL=\nSITE_NAME=\nPUBLIC_B=\nOTHER=\n"),
        ],
        &[],
    );
    let got = check_findings(&r, &["--all-findings"]);
    assert_eq!(
        got,
        vec![
            finding("env/client-read", "src/routes/+page.svelte", "SITE_NAME"),
            finding("env/client-read", "src/routes/+page.svelte", "OTHER"),
        ]
    );
}

const ASTRO: &str = "---\nimport Layout from '../layouts/Layout.astro';\nimport { getPosts } from '../lib/posts';\nconst posts = await getPosts();\n---\n<Layout title=\"Blog\">\n  <ul>{posts.map((p) => <li>{p.title}</li>)}</ul>\n</Layout>\n<script>\n  import { track } from '../lib/analytics';\n  track('blog');\n</script>\n";

#[test]
fn astro_page_importing_untracked_files_is_refused() {
    let (r, run) = commit_with(
        &[
            ("src/layouts/Layout.astro", "---\n---\n<slot />\n"),
            ("src/lib/posts.ts", "export const getPosts = async () => []\n"),
        ],
        &[("src/pages/blog.astro", ASTRO)],
        &[("src/lib/analytics.ts", "export const track = (s: string) => s\n")],
    );
    cmd_snapshot!(r, "sfc_astro_page_importing_untracked_files_is_refused", run);
    assert_eq!(
        check_findings(&r, &[]),
        vec![finding(
            "imports/untracked",
            "src/pages/blog.astro",
            "../lib/analytics"
        )]
    );
}

#[test]
fn astro_page_with_its_imports_staged_passes() {
    let (_, run) = commit_with(
        &[
            ("src/layouts/Layout.astro", "---\n---\n<slot />\n"),
            ("src/lib/posts.ts", "export const getPosts = async () => []\n"),
        ],
        &[
            ("src/pages/blog.astro", ASTRO),
            ("src/lib/analytics.ts", "export const track = (s: string) => s\n"),
        ],
        &[],
    );
    run.ok();
    // An inline script is the browser's business: its imports are URLs, not checked.
    let inline = "---\n---\n<script is:inline>import './not-here.js'</script>\n";
    let (_, run) = commit_with(&[], &[("src/pages/inline.astro", inline)], &[]);
    run.ok();
}

fn nuxt_base() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "nuxt.config.ts",
            "export default defineNuxtConfig({ devtools: { enabled: true } })\n",
        ),
        (
            "package.json",
            "{\"name\":\"app\",\"dependencies\":{\"nuxt\":\"3\",\"vue\":\"3\"}}\n",
        ),
        ("tsconfig.json", "{ \"extends\": \"./.nuxt/tsconfig.json\" }\n"),
        (".gitignore", ".nuxt\nnode_modules\n"),
        ("utils/format.ts", "export const format = (s: string) => s\n"),
    ]
}

const NUXT_VUE: &str = "<script setup lang=\"ts\">\nimport { format } from '~/utils/format'\nimport { again } from '@/utils/format'\nimport { root } from '~~/utils/format'\nimport { useState } from '#imports'\nimport { defineNuxtPlugin } from '#app'\nimport { NuxtLink } from '#components'\nimport { helper } from '~/composables/helper'\n</script>\n<template><div /></template>\n";

#[test]
fn nuxt_aliases_resolve_without_the_generated_tsconfig() {
    // `~/composables/helper` is untracked: found through the alias; every other import is fine.
    let (r, run) = commit_with(
        &nuxt_base(),
        &[("components/Card.vue", NUXT_VUE)],
        &[("composables/helper.ts", "export const helper = 1\n")],
    );
    run.code(1);
    assert_eq!(
        check_findings(&r, &[]),
        vec![finding(
            "imports/untracked",
            "components/Card.vue",
            "~/composables/helper"
        )]
    );
    // Nuxt 4's `app/` source folder
    let (r, _) = commit_with(
        &[
            ("nuxt.config.ts", "export default defineNuxtConfig({})\n"),
            (
                "package.json",
                "{\"name\":\"app\",\"dependencies\":{\"nuxt\":\"4\"}}\n",
            ),
            ("app/app.vue", "<template><NuxtPage /></template>\n"),
            ("app/utils/format.ts", "export const format = 1\n"),
        ],
        &[(
            "app/components/A.vue",
            "<script setup>\nimport { format } from '~/utils/format'\nimport { gone } from '~/utils/gone'\n</script>\n",
        )],
        &[],
    );
    assert_eq!(
        check_findings(&r, &[]),
        vec![finding(
            "imports/unresolved",
            "app/components/A.vue",
            "~/utils/gone"
        )]
    );
}

#[test]
fn nuxt_twin_with_everything_staged_passes() {
    let (_, run) = commit_with(
        &nuxt_base(),
        &[
            ("components/Card.vue", NUXT_VUE),
            ("composables/helper.ts", "export const helper = 1\n"),
        ],
        &[],
    );
    run.ok();
}

/// The same blob at `a.ts` and at `a.vue` holds different facts: the facts cache must not give
/// one the other's (a cache must never change an answer).
#[test]
fn facts_cache_is_keyed_by_file_kind() {
    let r = Repo::new();
    let text = "import x from './gone'\nexport default x\n";
    r.write("a.ts", text).add(&["a.ts"]);
    // cold: the TS file imports a missing file
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding("imports/unresolved", "a.ts", "./gone")]
    );
    // the same blob as a `.vue` file (no script block): nothing, also with the cache warm
    r.git(&["mv", "a.ts", "a.vue"]).ok();
    assert_eq!(check_findings(&r, &["--all-findings"]), vec![]);
    r.git(&["mv", "a.vue", "b.ts"]).ok();
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding("imports/unresolved", "b.ts", "./gone")]
    );
    // and the other way: first seen as `.vue` in a fresh repository's cache
    let r = Repo::new();
    r.write("a.vue", text).add(&["a.vue"]);
    assert_eq!(check_findings(&r, &["--all-findings"]), vec![]);
    r.git(&["mv", "a.vue", "a.ts"]).ok();
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding("imports/unresolved", "a.ts", "./gone")]
    );
}

/// Editing `svelte.config.js` (its `kit.alias`) changes how `$db` resolves: a warm run that
/// remembered the file as clean must see it.
#[test]
fn svelte_config_alias_edit_is_seen_by_a_warm_run() {
    let r = Repo::new();
    for (p, t) in svelte_base() {
        r.write(p, t);
    }
    r.write(
        "svelte.config.js",
        "export default { kit: { alias: { $db: 'src/db' } } };\n",
    )
    .write("src/db/index.ts", "export const db = 1\n")
    .write(
        "src/routes/+page.svelte",
        "<script>\nimport { db } from '$db'\n</script>\n",
    );
    r.add(&["."]);
    assert_eq!(check_findings(&r, &["--all-findings"]), vec![]);
    r.write(
        "svelte.config.js",
        "export default { kit: { alias: { $db: 'src/database' } } };\n",
    )
    .add(&["svelte.config.js"]);
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding("imports/unresolved", "src/routes/+page.svelte", "$db")]
    );
}

/// Regression (withastro/starlight docs): tsconfig `paths` apply to imports of `.mdx`/`.astro`
/// files too (oxc matches a config's default `include` against TS/JS names only).
#[test]
fn tsconfig_paths_apply_to_host_files() {
    let r = Repo::new();
    r.write("docs/tsconfig.json", "{ \"compilerOptions\": { \"paths\": { \"~/*\": [\"./src/*\"] } } }\n")
        .write("docs/src/components/preview.astro", "---\n---\n<slot />\n")
        .write("docs/src/components/util.ts", "export const u = 1\n")
        .write(
            "docs/src/content/docs/page.mdx",
            "import Preview from '~/components/preview.astro'\nimport { u } from '~/components/util'\n\n<Preview />\n",
        )
        .write(
            "docs/src/pages/index.astro",
            "---\nimport Preview from '~/components/preview.astro'\nimport { gone } from '~/components/gone'\n---\n",
        );
    r.add(&["."]);
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding(
            "imports/unresolved",
            "docs/src/pages/index.astro",
            "~/components/gone"
        )]
    );
}

/// Regression (elk-zone/elk): a tsconfig whose `references` name configs a framework generates
/// (`./.nuxt/tsconfig.app.json`) still resolves relative imports; it is noted, not broken.
#[test]
fn references_to_generated_configs_do_not_break_resolution() {
    let r = Repo::new();
    r.write(
        "tsconfig.json",
        "{ \"references\": [{ \"path\": \"./.nuxt/tsconfig.app.json\" }, { \"path\": \"./.nuxt/tsconfig.server.json\" }], \"files\": [] }\n",
    )
    .write(".gitignore", ".nuxt\n")
    .write("app/composables/a.ts", "import { b } from './b'\nimport { c } from './c'\n")
    .write("app/composables/b.ts", "export const b = 1\n");
    r.add(&["."]);
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding("imports/unresolved", "app/composables/a.ts", "./c")]
    );
    cmd_snapshot!(
        r,
        "sfc_references_to_generated_configs_do_not_break_resolution",
        r.hookctl(&["check", "--all-findings"])
    );
}

/// Regression (sveltejs/kit test apps): `svelte.config.js` is optional; a package depending on
/// `@sveltejs/kit` has the default `$lib` anyway.
#[test]
fn lib_alias_without_a_svelte_config() {
    let r = Repo::new();
    r.write(
        "apps/a/package.json",
        "{\"name\":\"a\",\"devDependencies\":{\"@sveltejs/kit\":\"2\"}}\n",
    )
    .write(
        "apps/a/tsconfig.json",
        "{ \"extends\": \"./.svelte-kit/tsconfig.json\" }\n",
    )
    .write("apps/a/src/lib/ok.ts", "export const ok = 1\n")
    .write(
        "apps/a/src/routes/+page.svelte",
        "<script>\nimport { ok } from '$lib/ok'\nimport '$lib/foo.js'\n</script>\n",
    );
    r.add(&["."]);
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding(
            "imports/unresolved",
            "apps/a/src/routes/+page.svelte",
            "$lib/foo.js"
        )]
    );
}

/// `--verbose` says which files were not read and why: too large, binary, or of an extension
/// hookctl does not scan (code-like ones only, counted per extension).
#[test]
fn verbose_names_skipped_files_and_why() {
    let r = Repo::new();
    r.write("hookctl.toml", "[scan]\nmax_file_size = 100\n")
        .write(
            "src/big.ts",
            format!("import x from './gone'\n{}\n", "// pad\n".repeat(40)),
        )
        .write("src/blob.js", b"\x00\x01import x from './gone'".as_slice())
        .write(
            "src/app.vue",
            "<script setup>\nimport A from './A.vue'\n</script>\n",
        )
        .write("src/A.vue", "<template><div/></template>\n")
        .write("src/a.css", "a{}\n")
        .write("src/b.css", "b{}\n")
        .write("index.html", "<p>\n")
        .write("logo.png", "png");
    r.add(&["."]);
    let run = r.hookctl(&["--verbose", "--no-color", "check", "--all-findings"]);
    cmd_snapshot!(r, "sfc_verbose_names_skipped_files_and_why_run", run);
    // without --verbose: none of it
    cmd_snapshot!(
        r,
        "sfc_verbose_names_skipped_files_and_why",
        r.hookctl(&["--no-color", "check", "--all-findings"])
    );
}

/// create-vue's layout: a solution-style tsconfig whose app project includes `src/**/*.vue` and
/// maps `@/*`; imports in `.vue` files resolve through that project.
#[test]
fn create_vue_layout_resolves_at_alias_from_vue_files() {
    let r = Repo::new();
    r.write(".gitignore", "node_modules\n")
        .write(
            "node_modules/@vue/tsconfig/tsconfig.dom.json",
            "{ \"compilerOptions\": { \"module\": \"ESNext\", \"moduleResolution\": \"bundler\" } }\n",
        )
        .write("node_modules/@vue/tsconfig/package.json", "{ \"name\": \"@vue/tsconfig\", \"version\": \"1.0.0\" }\n")
        .write(
            "tsconfig.json",
            "{ \"files\": [], \"references\": [{ \"path\": \"./tsconfig.node.json\" }, { \"path\": \"./tsconfig.app.json\" }] }\n",
        )
        .write(
            "tsconfig.app.json",
            "{ \"extends\": \"@vue/tsconfig/tsconfig.dom.json\", \"include\": [\"env.d.ts\", \"src/**/*\", \"src/**/*.vue\"], \"compilerOptions\": { \"paths\": { \"@/*\": [\"./src/*\"] } } }\n",
        )
        .write("tsconfig.node.json", "{ \"include\": [\"vite.config.*\"] }\n")
        .write(
            "package.json",
            "{ \"name\": \"cv\", \"dependencies\": { \"vue\": \"3\" }, \"devDependencies\": { \"@vue/tsconfig\": \"1\" } }\n",
        )
        .write("src/stores/x.ts", "export const useX = () => 1\n")
        .write("src/components/Hello.vue", "<template><p /></template>\n")
        .write(
            "src/App.vue",
            "<script setup lang=\"ts\">\nimport { useX } from '@/stores/x'\nimport Hello from '@/components/Hello.vue'\nimport Gone from '@/components/Gone.vue'\n</script>\n",
        )
        .write("src/main.ts", "import { createApp } from 'vue'\nimport App from './App.vue'\n");
    r.add(&["."]);
    assert_eq!(
        check_findings(&r, &["--all-findings"]),
        vec![finding(
            "imports/unresolved",
            "src/App.vue",
            "@/components/Gone.vue"
        )]
    );
}

const VUE_STYLED: &str = "<template><div class=\"card\"/></template>\n<style lang=\"scss\" scoped>\n@use '../styles/tokens';\n.card { background: url('../assets/card.png'); }\n</style>\n";

/// A `<style lang="scss">` block's `@use` of an untracked partial is refused at its line, as a
/// stylesheet's would be; with the partial and the image staged the commit passes.
#[test]
fn vue_style_block_using_an_untracked_partial_is_refused_and_its_twin_passes() {
    let (r, run) = commit_with(
        &[("src/assets/card.png", "png")],
        &[("src/components/Card.vue", VUE_STYLED)],
        &[("src/styles/_tokens.scss", "$gap: 4px;\n")],
    );
    cmd_snapshot!(
        r,
        "sfc_vue_style_block_using_an_untracked_partial_is_refused_and_its_twin_passes",
        run
    );
    let (_, run) = commit_with(
        &[("src/assets/card.png", "png")],
        &[
            ("src/components/Card.vue", VUE_STYLED),
            ("src/styles/_tokens.scss", "$gap: 4px;\n"),
        ],
        &[],
    );
    run.ok();
}
