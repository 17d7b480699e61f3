//! The import / env-read extractor on any bytes (libFuzzer mutates the real TypeScript of
//! the seed corpus, see run.sh): no panic, and every span inside the file.
#![no_main]

use hookctl::scan::{Lang, ScanOptions, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ScanOptions {
        env_accessors: vec!["env".to_string()],
    };
    for lang in [Lang::TypeScript, Lang::Tsx] {
        let facts = extract(lang, data, &opts);
        let spans = facts
            .imports
            .iter()
            .map(|i| i.span)
            .chain(facts.env_reads.iter().map(|r| r.span));
        for s in spans {
            assert!(s.line >= 1 && s.column >= 1, "{s:?}");
            assert!(s.start <= s.end && s.end as usize <= data.len(), "{s:?} of {}", data.len());
        }
    }
});
