//! The floor a cold full check is measured against: plain tree-sitter parsing (no extraction)
//! of every TS/JS blob in a repository's index, on all cores, next to `scan::extract` on the same
//! blobs, and the same parse of only the text a cold check parses (`scan::parse_extent`: the
//! prefix that can hold every fact), the floor of the parse the check does. Run:
//! `HOOKCTL_BENCH_REPO=/path/to/repo cargo bench --bench parse_floor`. Each round
//! prints wall time and the process's CPU time (user + system, from `/proc/self/stat` where it
//! exists): on a shared machine the CPU time is the one to compare with `hookctl check`'s.
//! tree-sitter allocates with the C library's malloc here; `HOOKCTL_BENCH_ALLOC=mimalloc` gives
//! it the allocator the `hookctl` binary gives it (`hookctl::alloc`).
// Benchmarks and tests report to the developer directly, not through hookctl's output layer.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark prints its table"
)]
#![expect(clippy::disallowed_methods, reason = "a benchmark reads its own settings")]

use std::time::Instant;

use hookctl::scan::{Lang, ScanOptions, extract, parse_extent};
use rayon::prelude::*;

fn main() {
    let mimalloc = std::env::var("HOOKCTL_BENCH_ALLOC").is_ok_and(|a| a == "mimalloc");
    if mimalloc {
        hookctl::alloc::parsers_use_mimalloc();
    }
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
    let alloc = if mimalloc { "mimalloc" } else { "malloc" };
    println!(
        "{} files, {mb:.1} MB, {threads} threads, tree-sitter allocating with {alloc}",
        blobs.len()
    );
    for round in 0..3 {
        let t = Instant::now();
        let c = cpu_seconds();
        let nodes: usize = blobs
            .par_iter()
            .map_init(
                || [None::<tree_sitter::Parser>, None],
                |parsers, (lang, src)| {
                    parser(parsers, *lang)
                        .parse(src, None)
                        .map_or(0, |t| t.root_node().child_count() as usize)
                },
            )
            .sum();
        let parse = t.elapsed().as_secs_f64();
        let parse_cpu = cpu_seconds() - c;
        // The same parse of only the text a cold check parses (`scan::parse_extent`): the
        // prefix that can hold every fact, the whole file again when the prefix does not parse
        // cleanly, nothing for a file without a trigger word.
        let t = Instant::now();
        let c = cpu_seconds();
        let (parsed_bytes, prefix_nodes) = parse_checked_text(&blobs);
        let text = t.elapsed().as_secs_f64();
        let text_cpu = cpu_seconds() - c;
        let t = Instant::now();
        let c = cpu_seconds();
        let facts: usize = blobs
            .par_iter()
            .map(|(lang, src)| extract(*lang, src, &ScanOptions::default()).imports.len())
            .sum();
        let ex = t.elapsed().as_secs_f64();
        let ex_cpu = cpu_seconds() - c;
        println!(
            "round {round}: parse only {parse:.2} s wall, {parse_cpu:.2} s CPU ({:.1} MB/s, {nodes} top-level nodes); extract {ex:.2} s wall, {ex_cpu:.2} s CPU ({:.1} MB/s, {facts} imports); extract/parse (CPU) {:.2}; parse of the text a check parses {text:.2} s wall, {text_cpu:.2} s CPU ({:.1} MB, {:.1}% of the bytes, {prefix_nodes} top-level nodes)",
            mb / parse,
            mb / ex,
            ex_cpu / parse_cpu,
            parsed_bytes as f64 / 1e6,
            parsed_bytes as f64 / 1e6 / mb * 100.0
        );
    }
}

/// Parse only the text a cold check parses of each blob (`scan::parse_extent`; the whole file
/// again when the prefix has an error): (bytes parsed, top-level nodes).
fn parse_checked_text(blobs: &[(Lang, Vec<u8>)]) -> (usize, usize) {
    blobs
        .par_iter()
        .map_init(
            || [None::<tree_sitter::Parser>, None],
            |parsers, (lang, src)| {
                let Some(n) = parse_extent(src, &ScanOptions::default()) else {
                    return (0, 0);
                };
                let p = parser(parsers, *lang);
                let tree = p.parse(&src[..n], None);
                match tree {
                    Some(t) if n < src.len() && t.root_node().has_error() => {
                        let whole = p.parse(src, None);
                        (
                            n + src.len(),
                            whole.map_or(0, |t| t.root_node().child_count() as usize),
                        )
                    }
                    t => (n, t.map_or(0, |t| t.root_node().child_count() as usize)),
                }
            },
        )
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// This thread's parser for `lang`'s grammar (TSX or TypeScript), made on first use.
fn parser(parsers: &mut [Option<tree_sitter::Parser>; 2], lang: Lang) -> &mut tree_sitter::Parser {
    let i = usize::from(lang == Lang::Tsx);
    parsers[i].get_or_insert_with(|| {
        let mut p = tree_sitter::Parser::new();
        let l = if i == 1 {
            tree_sitter_typescript::LANGUAGE_TSX
        } else {
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT
        };
        p.set_language(&l.into()).expect("grammar");
        p
    })
}

/// This process's CPU time so far (user + system, seconds): fields 14 and 15 of
/// `/proc/self/stat`, in clock ticks of 1/100 s (Linux's `USER_HZ`); 0 where there is no `/proc`.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The command name (field 2) may hold spaces: count from after its closing parenthesis.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    // After ")": state (not a number, dropped) then ppid... utime is field 14 overall, the
    // 12th number after the state.
    f.get(10).zip(f.get(11)).map_or(0.0, |(u, s)| (u + s) / 100.0)
}
