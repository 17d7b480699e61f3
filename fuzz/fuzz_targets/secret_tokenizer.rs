//! The secret tokenizer (`secret::find`, `secret::redact_bytes`) on any text: a key of each
//! format planted in random surrounding bytes is always found and always masked, unless the
//! byte next to it continues its alphabet (then it is part of a longer word); any input masks
//! without panicking and keeps its length (byte offsets still hold).
#![no_main]

use hookctl::secret;
use libfuzzer_sys::fuzz_target;

// Built at run time so that the source holds no literal that secret scanners flag.
fn keys() -> Vec<(String, String)> {
    let k = |parts: &[&str]| parts.concat();
    let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV80WAdl5Zf8RxmZ2kJk3Ab";
    vec![
        (
            k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]),
            "4eC39HqLyjWDarjtT1zdp7dc".into(),
        ),
        (k(&["AKIA", "Q3EGRIVYX2N7TB5K"]), "Q3EGRIVYX2N7TB5K".into()),
        (
            k(&["ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
            "a1B2c3D4e5F6g7H8i9J0".into(),
        ),
        (
            k(&["glpat-", "Ab3dEf6hIj9kLm2nOp5q"]),
            "Ab3dEf6hIj9kLm2nOp5q".into(),
        ),
        (
            k(&["xoxb-", "1234567890-0987654321-AbCdEfGhIjKl"]),
            "0987654321-AbCdEfGhIjKl".into(),
        ),
        (
            k(&["sk-", "proj-", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
            "Ab3dEf6hIj9kLm2nOp5qRs8t".into(),
        ),
        (
            k(&["npm_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
            "a1B2c3D4e5F6g7H8i9J0".into(),
        ),
        (
            k(&["SG.", "Ab3dEf6hIj9kLm2nOp5q.Rs8tUv1wXy4zAb3dEf6h"]),
            "Rs8tUv1wXy4zAb3dEf6h".into(),
        ),
        (
            k(&["postgres://app:", "Zq8rT2vLx9Wk4Ym7", "@db.internal:5432/app"]),
            "Zq8rT2vLx9Wk4Ym7".into(),
        ),
        (
            k(&["-----BEGIN ", "RSA PRIVATE KEY-----\n", body, "\n"]),
            body[10..40].into(),
        ),
    ]
}

/// A byte that continues some key's alphabet, or (after it) makes a private key's body an
/// elided sample (`...`, `…`).
fn glued(b: Option<&u8>, after: bool) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || b"_-+/=.:@".contains(b) || (after && *b >= 0x80))
}

fuzz_target!(|data: &[u8]| {
    let masked = secret::redact_bytes(data);
    assert_eq!(masked.len(), data.len());
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let keys = keys();
    let (key, middle) = &keys[usize::from(which) % keys.len()];
    let (before, after) = rest.split_at(rest.len() / 2);
    if glued(before.last(), false) || glued(after.first(), true) {
        return;
    }
    // An ellipsis after a private key's body (alone on the next line, or glued) is how docs
    // elide one: a sample by design.
    let elided = |h: &[u8]| {
        memchr::memmem::find(h, b"..").is_some() || memchr::memmem::find(h, "…".as_bytes()).is_some()
    };
    if key.starts_with("-----") && elided(after) {
        return;
    }
    let text = [before, key.as_bytes(), after].concat();
    let at = before.len();
    let found = secret::find(&text);
    assert!(
        found.iter().any(|f| f.start <= at && f.end > at),
        "planted key not found in {:?}",
        String::from_utf8_lossy(&text)
    );
    let masked = secret::redact_bytes(&text);
    assert!(
        memchr::memmem::find(&masked, middle.as_bytes()).is_none(),
        "planted key not masked in {:?}",
        String::from_utf8_lossy(&masked)
    );
});
