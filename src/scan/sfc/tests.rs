//! The block splitter per host format, with the inputs that trip naive splitters, and a
//! property test that it never panics and that blanking keeps every offset and line break.

use proptest::prelude::*;

use super::{Host, Lang, blank, extract_host, split, steps};
use crate::scan::ScanOptions;

/// The script blocks' texts and grammars.
fn scripts(host: Host, src: &str) -> Vec<(String, Lang)> {
    split(host, src.as_bytes())
        .scripts
        .into_iter()
        .map(|b| (src[b.range].to_string(), b.lang))
        .collect()
}

/// `specifier line:column` of every import.
fn imports(host: Host, src: &str) -> Vec<String> {
    extract_host(host, src.as_bytes(), &ScanOptions::default())
        .imports
        .iter()
        .map(|i| format!("{} {}:{}", i.specifier, i.span.line, i.span.column))
        .collect()
}

#[test]
fn vue_script_and_script_setup_with_their_languages() {
    let src = "<template>\n  <div>{{ a < b }}</div>\n</template>\n<script lang=\"ts\">\nimport A from './a'\n</script>\n<script setup>\nimport B from './b.vue'\n</script>\n<style lang=\"scss\">\n@import './x';\n</style>\n";
    assert_eq!(
        scripts(Host::Vue, src),
        vec![
            ("\nimport A from './a'\n".to_string(), Lang::TypeScript),
            ("\nimport B from './b.vue'\n".to_string(), Lang::Tsx),
        ]
    );
    // The `<style lang="scss">` block's `@import` too.
    assert_eq!(
        imports(Host::Vue, src),
        vec!["./a 5:15", "./b.vue 8:15", "./x 11:9"]
    );
    let styles = super::style_blocks(Host::Vue, src.as_bytes());
    assert_eq!(styles.len(), 1);
    assert_eq!(styles[0].lang.as_deref(), Some("scss"));
    assert_eq!(&src[styles[0].range.clone()], "\n@import './x';\n");
}

#[test]
fn vue_script_like_text_in_template_comments_and_custom_blocks_is_not_code() {
    let src = "<!-- <script>import X from './commented'</script> -->\n<template>\n  <template v-if=\"x\"><p>&lt;script&gt;</p></template>\n  <script>import Y from './in-template'</script>\n</template>\n<i18n>{\"en\": \"<script>import Z from './i18n'</script>\"}</i18n>\n<script setup lang='ts'>import W from './real'</script>\n";
    assert_eq!(imports(Host::Vue, src), vec!["./real 7:39"]);
}

#[test]
fn attributes_in_any_order_and_quoting() {
    for tag in [
        "<script setup lang=\"ts\">",
        "<script lang='ts' setup>",
        "<script lang=ts setup>",
        "<SCRIPT  setup\n  lang = \"ts\" >",
        "<script generic=\"T extends { a: string }\" lang=\"ts\" setup>",
    ] {
        let src = format!("{tag}\nconst x = 1 as number\n</script>");
        let got = scripts(Host::Vue, &src);
        assert_eq!(got.len(), 1, "{tag}");
        assert_eq!(got[0].1, Lang::TypeScript, "{tag}");
    }
}

#[test]
fn closing_tag_inside_a_string_ends_the_block_as_the_compilers_do() {
    let src = "<script>\nconst s = '</script>'\nimport A from './a'\n</script>";
    assert_eq!(
        scripts(Host::Svelte, src),
        vec![("\nconst s = '".to_string(), Lang::Tsx)]
    );
}

#[test]
fn svelte_module_instance_and_nested_scripts() {
    let src = "<script context=\"module\" lang=\"ts\">\nimport { a } from '$lib/a'\n</script>\n<script module>import b from './b'</script>\n<script lang=\"ts\">\nimport { API_KEY } from '$env/static/private'\n</script>\n{#if a < b}<p>{'<script>'}</p>{/if}\n<svelte:head><script src=\"https://x\">import c from './head'</script></svelte:head>\n<script type=\"application/ld+json\">{\"import\": 1}</script>\n";
    assert_eq!(
        imports(Host::Svelte, src),
        vec!["$lib/a 2:19", "./b 4:30", "$env/static/private 6:25"]
    );
    let facts = extract_host(Host::Svelte, src.as_bytes(), &ScanOptions::default());
    let reads: Vec<_> = facts
        .env_reads
        .iter()
        .map(|r| (r.name.clone().unwrap(), r.source))
        .collect();
    assert_eq!(
        reads,
        vec![("API_KEY".to_string(), crate::scan::EnvSource::SvelteKitPrivate)]
    );
}

#[test]
fn astro_frontmatter_and_bundled_scripts_only() {
    let src = "\u{feff}---\r\nimport Layout from '../layouts/Layout.astro'\r\nconst k = import.meta.env.SECRET\r\n---\r\n<Layout title={\"a < b\"}>\r\n<script>import './bundled'</script>\r\n<script is:inline>import './inline'</script>\r\n<script type=\"module\">import './module'</script>\r\n<!-- <script>import './comment'</script> -->\r\n</Layout>\r\n";
    assert_eq!(
        imports(Host::Astro, src),
        vec!["../layouts/Layout.astro 2:20", "./bundled 6:16"]
    );
    // no fence at the start: no frontmatter
    assert!(scripts(Host::Astro, "<p>\n---\nimport x from 'y'\n---\n</p>").is_empty());
}

#[test]
fn mdx_esm_blocks_only() {
    let src = "---\ntitle: import x from 'frontmatter'\n---\n\nimport A from './a'\nimport {\n  B,\n\n  C,\n} from './b'\n\n# Title\nimport D from './after-heading'\n\nSome text\nimport E from './paragraph'\n\n```js\nimport F from './fenced'\n```\n\n    import G from './indented'\n\nexport const meta = { a: process.env.MDX_VAR }\n";
    assert_eq!(
        imports(Host::Mdx, src),
        vec!["./a 5:15", "./b 10:8", "./after-heading 13:15"]
    );
    let facts = extract_host(Host::Mdx, src.as_bytes(), &ScanOptions::default());
    assert_eq!(facts.env_reads.len(), 1);
    assert_eq!(facts.env_reads[0].span.line, 24);
}

#[test]
fn unclosed_elements_do_not_hide_a_later_top_level_script() {
    let src = "<ul><li>a<li>b</ul>\n<p>text\n<div><p>x</div>\n<script>import A from './a'</script>\n";
    assert_eq!(imports(Host::Svelte, src), vec!["./a 4:23"]);
    // a stray closing tag changes nothing
    let src = "</div></section>\n<script>import B from './b'</script>\n";
    assert_eq!(imports(Host::Svelte, src), vec!["./b 2:23"]);
}

#[test]
fn columns_count_characters_before_a_block_on_its_line() {
    let src = "<p>\u{e9}\u{e9}</p><script>import A from './a'</script>";
    // `'./a'` is at character 32 (1-based), byte 34: the blanked text would say 34
    assert_eq!(imports(Host::Svelte, src), vec!["./a 1:32"]);
}

#[test]
fn non_utf8_and_unterminated_input() {
    let src = b"<script>\nimport A from './a'\n\xff\xfe</scr";
    let facts = extract_host(Host::Vue, src, &ScanOptions::default());
    assert_eq!(facts.imports.len(), 1);
    for host in [Host::Vue, Host::Svelte, Host::Astro, Host::Mdx] {
        for s in [
            "<",
            "<script",
            "<script lang=\"",
            "<!--",
            "---",
            "import {",
            "<a {",
            "<p>{'",
        ] {
            let _ = split(host, s.as_bytes());
        }
    }
}

proptest! {
    #[test]
    fn splitter_never_panics_and_blanking_keeps_offsets(
        src in proptest::collection::vec(
            prop_oneof![
                Just(b'<'), Just(b'>'), Just(b'/'), Just(b'-'), Just(b'!'), Just(b'\n'), Just(b'\r'),
                Just(b'{'), Just(b'}'), Just(b'"'), Just(b'\''), Just(b'`'), Just(b' '), Just(b'='),
                Just(b's'), Just(b'c'), Just(b'r'), Just(b'i'), Just(b'p'), Just(b't'), Just(0xc3),
                Just(0xa9), any::<u8>(),
            ],
            0..200,
        ),
        host in prop_oneof![Just(Host::Vue), Just(Host::Svelte), Just(Host::Astro), Just(Host::Mdx)],
    ) {
        let mut input = src.clone();
        // Seed real tags now and then.
        if input.len() > 20 {
            input.splice(3..3, b"<script lang=\"ts\">".iter().copied());
        }
        let blocks = split(host, &input);
        let ranges: Vec<_> = blocks.scripts.iter().map(|b| b.range.clone()).collect();
        for r in ranges.iter().chain(blocks.styles.iter().map(|s| &s.range)) {
            prop_assert!(r.start <= r.end && r.end <= input.len());
        }
        let out = blank(&input, &ranges);
        prop_assert_eq!(out.len(), input.len());
        for (i, (a, b)) in input.iter().zip(&out).enumerate() {
            if *a == b'\n' || *a == b'\r' {
                prop_assert_eq!(a, b, "line break at {} lost", i);
            } else if ranges.iter().any(|r| r.contains(&i)) {
                prop_assert_eq!(a, b);
            } else {
                prop_assert_eq!(*b, b' ');
            }
        }
        let _ = extract_host(host, &input, &ScanOptions::default());
    }
}

/// `<style>` blocks are read as stylesheets of their `lang` (plain CSS without one), at their
/// place in the whole file; an unknown `lang` is not read.
#[test]
fn style_blocks_are_read_as_stylesheets() {
    let src = "<template><div/></template>\n<script setup lang=\"ts\">\nimport A from './a'\n</script>\n<style lang=\"scss\">\n@use './tokens';\n.a { background: url(./bg.png); }\n</style>\n<style>\n@import './reset.css';\n</style>\n<style lang=\"stylus\">\n@import './ignored'\n</style>\n";
    assert_eq!(
        imports(Host::Vue, src),
        vec!["./a 3:15", "./tokens 6:6", "./bg.png 7:22", "./reset.css 10:9"]
    );
    let svelte =
        "<script>\nimport B from './b.js';\n</script>\n<p/>\n<style>\n  @import './global.css';\n</style>\n";
    assert_eq!(
        imports(Host::Svelte, svelte),
        vec!["./b.js 2:15", "./global.css 6:11"]
    );
}

/// Vue's `<script src>`/`<style src>` and the `<script src>` Astro bundles name files the
/// build reads: they are imports. Inline or remote scripts, Svelte (which has no `src` blocks)
/// and root-absolute paths (served from `public/`) are not.
#[test]
fn src_attributes_of_bundled_blocks_are_imports() {
    let vue = "<template><script src=\"./in-template.js\"></script></template>\n<script src=\"./logic.ts\"></script>\n<style src='./theme.css'></style>\n<style src=/abs.css></style>\n";
    assert_eq!(
        imports(Host::Vue, vue),
        vec!["./logic.ts 2:13", "./theme.css 3:12"]
    );
    let astro = "---\nconst a = 1;\n---\n<script src=\"./client.ts\"></script>\n<script is:inline src=\"./inline.js\"></script>\n<script src=\"https://cdn.example/x.js\"></script>\n";
    assert_eq!(imports(Host::Astro, astro), vec!["./client.ts 4:13"]);
    let svelte = "<script src=\"./x.js\"></script>\n";
    assert!(imports(Host::Svelte, svelte).is_empty());
}

/// The splitter's work grows with the input, not with its square, for inputs built to trip it
/// (`<div>`×N then `</x>`×N took seconds): its steps per byte stay under a constant, at 1× and
/// 4× the size alike. Counted in steps, not timed: the machine's load cannot change it.
#[test]
fn splitter_time_per_byte_does_not_grow_with_the_input() {
    type Shape = fn(usize) -> String;
    let shapes: &[(&str, Host, Shape)] = &[
        ("opens then unmatched closes", Host::Svelte, |n| {
            "<div>".repeat(n) + &"</x>".repeat(n)
        }),
        ("opens then matched closes", Host::Astro, |n| {
            "<div>".repeat(n) + &"</div>".repeat(n)
        }),
        ("opens then unmatched closes (vue)", Host::Vue, |n| {
            format!("<template>{}{}</template>", "<div>".repeat(n), "</x>".repeat(n))
        }),
        ("nested opens closed each time from the top", Host::Svelte, |n| {
            "<a><b>".repeat(n) + &"</a>".repeat(n)
        }),
        ("implied ends", Host::Astro, |n| "<p><li><td>".repeat(n)),
        ("braces", Host::Svelte, |n| "{'}".repeat(n)),
        ("comments", Host::Vue, |n| "<!-- -->".repeat(n)),
    ];
    for (name, host, shape) in shapes {
        for n in [10_000, 40_000] {
            let src = shape(n);
            let per_byte = steps(*host, src.as_bytes()) as f64 / src.len() as f64;
            assert!(
                per_byte <= 2.0,
                "{name}: {per_byte:.2} steps per byte at {} bytes",
                src.len()
            );
        }
    }
}

/// Top-level markup of random well-formed fragments, with one `<script>` block planted between
/// two of them: the splitter finds the planted block (its exact content) and never panics.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<div>".to_string()),
        Just("</div>".to_string()),
        Just("</x>".to_string()),
        Just("<p>".to_string()),
        Just("<li>".to_string()),
        Just("<br>".to_string()),
        Just("<img src=\"a.png\"/>".to_string()),
        Just("<!-- <script>no</script> -->".to_string()),
        Just("<span a=\"1\" b='>' c=d>".to_string()),
        Just("text < 3 and > 2\n".to_string()),
        "[a-z \n]{0,12}",
    ]
}

proptest! {
    #[test]
    fn splitter_finds_a_planted_top_level_script(
        before in proptest::collection::vec(fragment(), 0..12),
        inner in proptest::collection::vec(fragment(), 0..12),
        after in proptest::collection::vec(fragment(), 0..12),
        host in prop_oneof![Just(Host::Vue), Just(Host::Svelte)],
    ) {
        // Vue: markup lives in `<template>`; Svelte: at the top level, inside an element that
        // closes everything left open in it.
        let wrap = |parts: &[String]| match host {
            Host::Vue => format!("<template>{}</template>\n", parts.concat()),
            _ => format!("<section>{}</section>\n", parts.concat()),
        };
        let body = "\nimport planted from './planted';\nconst s = '<div>';\n";
        let src = format!(
            "{}<script lang=\"ts\">{body}</script>\n{}{}",
            wrap(&before),
            wrap(&inner),
            wrap(&after)
        );
        let found = scripts(host, &src);
        prop_assert_eq!(found, vec![(body.to_string(), Lang::TypeScript)], "{}", src);
    }
}
