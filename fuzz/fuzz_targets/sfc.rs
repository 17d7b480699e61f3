//! The block splitter of `.vue`, `.svelte`, `.astro` and `.mdx` files on any bytes (libFuzzer
//! mutates the seed components, see run.sh): no panic, no hang (run.sh gives each input a
//! time limit; the splitter is linear), every block and every import span inside the file, and
//! a `<script>` block planted after the input's markup is found whole.
#![no_main]

use hookctl::scan::ScanOptions;
use hookctl::scan::sfc::{Host, extract_host, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for host in [Host::Vue, Host::Svelte, Host::Astro, Host::Mdx] {
        let blocks = split(host, data);
        let ranges = blocks
            .scripts
            .iter()
            .map(|b| &b.range)
            .chain(blocks.styles.iter().map(|s| &s.range))
            .chain(blocks.sources.iter().map(|s| &s.range));
        for r in ranges {
            assert!(r.start <= r.end && r.end <= data.len(), "{r:?} of {}", data.len());
        }
        for i in &extract_host(host, data, &ScanOptions::default()).imports {
            assert!(i.span.start <= i.span.end && i.span.end as usize <= data.len());
        }
    }
    // Markup that closes everything it may have opened (no comment, raw element or brace
    // left open: those are dropped from the input), then a top-level script.
    let markup: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'<' | b'{' | b'}' | b'-' | b'"' | b'\''))
        .collect();
    let body = b"\nimport planted from './planted';\n";
    let mut src = b"<section>".to_vec();
    src.extend_from_slice(&markup);
    src.extend_from_slice(b"</section>\n<script lang=\"ts\">");
    let start = src.len();
    src.extend_from_slice(body);
    let end = src.len();
    src.extend_from_slice(b"</script>\n");
    let found = split(Host::Svelte, &src);
    assert!(
        found.scripts.iter().any(|b| b.range == (start..end)),
        "planted block not found: {:?}",
        found.scripts
    );
});
