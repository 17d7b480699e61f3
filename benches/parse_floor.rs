//! The floor a cold full check is measured against: plain tree-sitter parsing (no extraction)
//! of every TS/JS blob in a repository's index, on all cores, next to `scan::extract` on the same
//! blobs. Run: `HOOKCTL_BENCH_REPO=/path/to/repo cargo bench --bench parse_floor`.
// Benchmarks and tests report to the developer directly, not through hookctl's output layer.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark prints its table"
)]
#![expect(clippy::disallowed_methods, reason = "a benchmark reads its own settings")]

use std::time::Instant;

use hookctl::scan::{Lang, ScanOptions, extract};
use rayon::prelude::*;

fn main() {
    let Some(repo) = std::env::var_os("HOOKCTL_BENCH_REPO") else {
        eprintln!("set HOOKCTL_BENCH_REPO to a git repository (e.g. a gen-corpus corpus)");
        return;
    };
    let repo = git2::Repository::open(&repo).expect("a git repository");
    let index = repo.index().expect("an index");
    let blobs: Vec<(Lang, Vec<u8>)> = index
        .iter()
        .filter_map(|e| {
            let path = String::from_utf8_lossy(&e.path).into_owned();
            let lang = Lang::for_path(&path)?;
            Some((lang, repo.find_blob(e.id).ok()?.content().to_vec()))
        })
        .collect();
    let mb = blobs.iter().map(|(_, b)| b.len()).sum::<usize>() as f64 / 1e6;
    let threads = rayon::current_num_threads();
    println!("{} files, {mb:.1} MB, {threads} threads", blobs.len());
    for round in 0..3 {
        let t = Instant::now();
        let nodes: usize = blobs
            .par_iter()
            .map_init(
                || [None::<tree_sitter::Parser>, None],
                |parsers, (lang, src)| {
                    let i = usize::from(*lang == Lang::Tsx);
                    let p = parsers[i].get_or_insert_with(|| {
                        let mut p = tree_sitter::Parser::new();
                        let l = if i == 1 {
                            tree_sitter_typescript::LANGUAGE_TSX
                        } else {
                            tree_sitter_typescript::LANGUAGE_TYPESCRIPT
                        };
                        p.set_language(&l.into()).expect("grammar");
                        p
                    });
                    p.parse(src, None)
                        .map_or(0, |t| t.root_node().child_count() as usize)
                },
            )
            .sum();
        let parse = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let facts: usize = blobs
            .par_iter()
            .map(|(lang, src)| extract(*lang, src, &ScanOptions::default()).imports.len())
            .sum();
        let ex = t.elapsed().as_secs_f64();
        println!(
            "round {round}: parse only {parse:.2} s ({:.1} MB/s, {nodes} top-level nodes); extract {ex:.2} s ({:.1} MB/s, {facts} imports); extract/parse {:.2}",
            mb / parse,
            mb / ex,
            ex / parse
        );
    }
}
