//! The layout holds: no module of `src/` depends on itself through others.
//!
//! A module is a file (`src/resolve/packages.rs` is `resolve::packages`, `src/config/mod.rs` is
//! `config`); it depends on every module a `crate::…` or `super::…` path in its non-test code
//! names (the longest prefix that is a module). A submodule naming its own ancestor is part of
//! it, not a dependency. Run `cargo nextest run layout` after moving code: the failure prints
//! the cycle, edge by edge, with the line that makes each edge.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// module -> (module it names -> the first `file:line` naming it)
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn module_name(rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.iter().any(|p| p == "tests") {
        return None;
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    match parts.as_slice() {
        [one] if one == "lib" || one == "main" => None,
        _ => Some(parts.join("::")),
    }
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, String, std::path::PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap();
            if let Some(name) = module_name(rel) {
                let is_mod_rs = path.file_name().is_some_and(|f| f == "mod.rs");
                out.push((name, if is_mod_rs { "mod".into() } else { "file".into() }, path));
            }
        }
    }
}

/// `a::b::c` words after `crate::`/`super::` at each occurrence.
fn paths_after<'a>(line: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        let after = &rest[at + prefix.len()..];
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            let words: Vec<&str> = after
                .split("::")
                .map(|w| {
                    let end = w
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(w.len());
                    &w[..end]
                })
                .take_while(|w| !w.is_empty())
                .collect();
            found.push(words);
        }
        rest = after;
    }
    found
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    collect(src, src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _, _)| m.clone()).collect();
    let mut graph = Graph::new();
    for (module, _, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        // Unit tests may reach anywhere: only the code before the first test module counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let edges = graph.entry(module.clone()).or_default();
        // `super::` in `a/b.rs` is `a`; in `a/b/mod.rs` it is `a` too (the parent of `a::b`).
        let parent: Vec<&str> = {
            let mut p: Vec<&str> = module.split("::").collect();
            p.pop();
            p
        };
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            let mut named: Vec<Vec<String>> = paths_after(line, "crate::")
                .into_iter()
                .map(|w| w.into_iter().map(str::to_string).collect())
                .collect();
            for words in paths_after(line, "super::") {
                let mut full: Vec<String> = parent.iter().map(std::string::ToString::to_string).collect();
                full.extend(words.into_iter().map(str::to_string));
                named.push(full);
            }
            for words in named {
                let target = (1..=words.len())
                    .rev()
                    .map(|k| words[..k].join("::"))
                    .find(|m| modules.contains(m));
                let Some(target) = target else { continue };
                let is_ancestor = module == &target || module.starts_with(&format!("{target}::"));
                if !is_ancestor {
                    edges
                        .entry(target)
                        .or_insert_with(|| format!("{}:{}", path.display(), n + 1));
                }
            }
        }
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(edges) = s.graph.get(v) {
            for w in edges.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn src_has_no_module_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    assert!(
        graph.len() > 50,
        "the walk found too few modules: {}",
        graph.len()
    );
    let found = cycles(&graph);
    let mut report = String::new();
    for component in &found {
        let _ = writeln!(report, "cycle through {}:", component.join(", "));
        for m in component {
            for (to, at) in &graph[m] {
                if component.contains(to) {
                    let _ = writeln!(report, "  {m} -> {to}  ({at})");
                }
            }
        }
    }
    assert!(found.is_empty(), "{report}");
}

/// The check itself: a two-module cycle in a scratch tree is found, and a child naming its
/// parent is not a cycle.
#[test]
fn the_cycle_check_finds_a_planted_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod a; pub mod b;").unwrap();
    std::fs::write(src.join("a/mod.rs"), "pub mod c;\nuse crate::b::x;\n").unwrap();
    std::fs::write(src.join("a/c.rs"), "use super::y; // the parent: not a cycle\n").unwrap();
    std::fs::write(
        src.join("b.rs"),
        "fn f() { crate::a::y() }\n#[cfg(test)]\nuse crate::a::c;\n",
    )
    .unwrap();
    assert_eq!(cycles(&graph(src)), vec![vec!["a".to_string(), "b".to_string()]]);
    std::fs::write(src.join("b.rs"), "fn f() {}\n").unwrap();
    assert!(cycles(&graph(src)).is_empty());
}

/// Every Unix-only call is in `src/platform.rs`, so a Windows port is that one file: no other
/// file of `src/` names `std::os::unix`, `nix`, `libc` or starts `sh` itself.
#[test]
fn unix_only_calls_are_in_the_platform_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &src, &mut files);
    let mut found = Vec::new();
    for (module, _, path) in &files {
        if module == "platform" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if ["std::os::unix", "nix::", "libc::", "Command::new(\"sh\")"]
                .iter()
                .any(|p| code.contains(p))
            {
                found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(files.len() > 50, "the walk found too few files: {}", files.len());
    assert!(
        found.is_empty(),
        "Unix-only calls outside src/platform.rs:\n{}",
        found.join("\n")
    );
}
