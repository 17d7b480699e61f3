//! The dotenv reader on any bytes: no panic, every name an env identifier, no error message
//! carrying text of the file, and the raw-line secret scan never panics nor names a secret.
#![no_main]

use hookctl::env::{dotenv, known_secrets_in_lines};
use libfuzzer_sys::fuzz_target;

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fuzz_target!(|data: &[u8]| {
    let _ = dotenv::parse(data);
    let (parsed, problem) = dotenv::parse_lossy(data);
    if let Some(p) = problem {
        let _ = p.to_string();
    }
    for e in &parsed.entries {
        assert!(is_identifier(&e.name), "not an identifier: {:?}", e.name);
        assert!(e.line >= 1 && e.column >= 1);
    }
    for e in &parsed.errors {
        // Messages come from a fixed set: none can hold a value.
        assert!(
            dotenv::ERROR_MESSAGES.contains(&e.message.as_str()),
            "message not from the fixed set: {:?}",
            e.message
        );
    }
    let (text, _) = dotenv::decode_lossy(data);
    for hit in known_secrets_in_lines(&text) {
        if let Some(name) = &hit.name {
            assert!(is_identifier(name), "{name:?}");
        }
    }
});
