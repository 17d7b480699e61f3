//! The stylesheet tokenizer on any bytes, every dialect, whole files and ranges (libFuzzer
//! mutates the seed stylesheets, see run.sh): no panic, no hang, and every span inside the
//! file and inside the scanned range.
#![no_main]

use hookctl::scan::{CssDialect, extract_css, extract_css_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose a range; the whole input is the file.
    let (a, b) = match data {
        [a, b, ..] => (usize::from(*a) * data.len() / 256, usize::from(*b) * data.len() / 256),
        _ => (0, data.len()),
    };
    let (lo, hi) = (a.min(b), a.max(b));
    for d in [CssDialect::Css, CssDialect::Scss, CssDialect::Sass, CssDialect::Less] {
        let facts = extract_css_file(d, data);
        for i in &facts.imports {
            let s = i.span;
            assert!(s.line >= 1 && s.column >= 1, "{s:?}");
            assert!(s.start <= s.end && s.end as usize <= data.len(), "{s:?} of {}", data.len());
        }
        for i in extract_css(d, data, lo..hi) {
            let s = i.span;
            assert!(s.start as usize >= lo && s.end as usize <= hi, "{s:?} outside {lo}..{hi}");
        }
    }
});
