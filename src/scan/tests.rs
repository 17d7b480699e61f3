//! Tests of `extract`: a table of every form, then property tests.

#[test]
fn dump() {
    let Ok(src) = std::env::var("DUMP") else { return };
    let lang = if std::env::var("TSX").is_ok() {
        super::Lang::Tsx
    } else {
        super::Lang::TypeScript
    };
    let facts = super::extract(
        lang,
        src.as_bytes(),
        &super::ScanOptions {
            env_accessors: vec!["env".into()],
        },
    );
    println!("{facts:#?}");
}
