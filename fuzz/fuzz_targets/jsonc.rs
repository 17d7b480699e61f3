//! The tsconfig / package.json (JSONC) reader on any bytes: no panic; an error is a finding.
#![no_main]

use hookctl::manifest::parse_jsonc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(f) = parse_jsonc("tsconfig.json", data) {
        assert_eq!(f.rule.id, "files/unreadable");
    }
});
