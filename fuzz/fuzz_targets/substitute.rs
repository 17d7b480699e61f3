//! `{…}` substitution on any template, arguments and file names: no panic, and the command a
//! shell would run receives exactly the intended words — an argument or file name containing
//! `{files}`, `{1}`, quotes or `$(…)` stays one word, never code (issue 9, item 5).
#![no_main]

use std::path::PathBuf;

use hookctl::jobs::plan::{expand, parse_template};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // NUL-separated: a template, then the hook's argument, then file names.
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let template = parts.next().unwrap_or("");
    let arg = parts.next().unwrap_or("").to_string();
    let files: Vec<PathBuf> = parts.map(PathBuf::from).collect();

    // Any template: no panic.
    let _ = expand(&parse_template(template), std::slice::from_ref(&arg), &files, 4096);

    // A known template: the words a POSIX shell splits are the argument and the files.
    let cmds = expand(&parse_template("cmd {1} {files}"), std::slice::from_ref(&arg), &files, 4096);
    let mut got: Vec<String> = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        let words = shell_words::split(cmd.to_str().expect("utf-8 in, utf-8 out")).expect("quoted");
        assert_eq!(words[0], "cmd");
        assert_eq!(words[1], arg, "chunk {i}");
        got.extend(words[2..].iter().cloned());
    }
    let want: Vec<String> = files
        .iter()
        .map(|f| {
            let s = f.to_str().unwrap().to_string();
            if s.starts_with('-') { format!("./{s}") } else { s }
        })
        .collect();
    assert_eq!(got, want);
});
