//! The lockfile readers (package-lock.json, pnpm-lock.yaml, yarn.lock v1 and berry) on any
//! bytes: no panic; an error names a line; what parses can be checked against a dependency.
#![no_main]

use hookctl::deps::{Dep, npm, pnpm, yarn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let dep = Dep {
        dir: "",
        field: "dependencies",
        name: "tiny",
        spec: "^1.0.0",
    };
    match npm::Lock::parse(&text) {
        Ok(l) => drop(l.check(&dep)),
        Err(e) => assert!(e.line >= 1),
    }
    match pnpm::Lock::parse(&text) {
        Ok(l) => drop(l.check(&dep, &pnpm::workspace_catalogs(&text))),
        Err(e) => assert!(e.line >= 1),
    }
    match yarn::Lock::parse(&text) {
        Ok(l) => drop(l.check(&dep, &|_| None)),
        Err(e) => assert!(e.line >= 1),
    }
});
