//! Micro-benchmark of `cache::FactsCache`: save, load and get-all of 20k and 100k synthetic
//! realistic entries (5-15 imports, a few env reads), and the entry encoding against bincode 2.
//! Run with `cargo bench --bench cache`.
// Benchmarks and tests report to the developer directly, not through hookctl's output layer.
#![expect(clippy::print_stdout, reason = "a benchmark prints its table")]

use std::time::Duration;

use git2::Oid;
use hookctl::cache::{FactsCache, decode_facts, encode_facts};
use hookctl::scan::{EnvRead, EnvSource, Facts, Import, ImportKind, Span, Suppression};
use rayon::prelude::*;

mod common;
use common::{Rng, median};

const PACKAGES: &[&str] = &[
    "react",
    "react-dom/client",
    "next/link",
    "next/navigation",
    "zod",
    "lodash-es",
    "@tanstack/react-query",
    "@radix-ui/react-dialog",
    "date-fns",
    "clsx",
];
const LOCAL: &[&str] = &[
    "@/lib/utils",
    "@/components/ui/button",
    "../shared/api",
    "./styles.module.css",
    "../../hooks/use-session",
    "./types",
    "~/server/db/schema",
];
const NAMES: &[&str] = &[
    "DATABASE_URL",
    "NEXT_PUBLIC_API_URL",
    "NODE_ENV",
    "STRIPE_SECRET_KEY",
    "SENTRY_DSN",
];
const KINDS: &[ImportKind] = &[
    ImportKind::Static,
    ImportKind::Static,
    ImportKind::Static,
    ImportKind::Static,
    ImportKind::SideEffect,
    ImportKind::ExportFrom,
    ImportKind::Dynamic,
    ImportKind::Require,
];

fn span(line: usize, column: usize, len: usize) -> Span {
    let start = (line * 38 + column) as u32;
    Span {
        line: line as u32,
        column: column as u32,
        start,
        end: start + len as u32,
    }
}

fn facts(rng: &mut Rng) -> Facts {
    let n = 5 + rng.below(11);
    let imports = (0..n)
        .map(|i| {
            let specifier = if rng.below(2) == 0 {
                rng.pick(PACKAGES).to_string()
            } else {
                format!("{}-{}", rng.pick(LOCAL), rng.below(100))
            };
            Import {
                span: span(i + 1, 20 + rng.below(30), specifier.len() + 2),
                specifier,
                kind: KINDS[rng.below(KINDS.len())],
                type_only: rng.below(6) == 0,
                guarded: false,
            }
        })
        .collect();
    let env_reads = (0..rng.below(4))
        .map(|_| EnvRead {
            name: (rng.below(8) != 0).then(|| rng.pick(NAMES).to_string()),
            source: if rng.below(4) == 0 {
                EnvSource::ImportMetaEnv
            } else {
                EnvSource::ProcessEnv
            },
            kind: hookctl::scan::ReadKind::Plain,
            span: span(20 + rng.below(300), 4 + rng.below(40), 12),
        })
        .collect();
    let suppressions = if rng.below(50) == 0 {
        vec![Suppression {
            line: rng.below(300) as u32,
            rules: vec!["undeclared-dependency".into()],
        }]
    } else {
        vec![]
    };
    Facts {
        imports,
        env_reads,
        suppressions,
        had_errors: rng.below(100) == 0,
        use_client: rng.below(10) == 0,
    }
}

fn oid(i: usize) -> Oid {
    Oid::hash_object(git2::ObjectType::Blob, &i.to_le_bytes()).unwrap()
}

fn ms(d: Duration) -> String {
    format!("{:7.2} ms", d.as_secs_f64() * 1e3)
}

#[expect(clippy::too_many_lines, reason = "the benchmark's rows, printed in order")]
fn main() {
    let runs = 7;
    let fp = FactsCache::fingerprint(&Default::default());
    for n in [20_000, 100_000] {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let all: Vec<(Oid, Facts)> = (0..n).map(|i| (oid(i), facts(&mut rng))).collect();
        let dir = tempfile::tempdir().unwrap();
        println!("--- {n} entries");

        // Cold run: insert everything (from 2 threads, as the scan does) and save.
        let save = median(runs, || {
            let _ = std::fs::remove_dir_all(dir.path().join("hookctl"));
            let c = FactsCache::load(dir.path(), fp);
            all.par_iter().for_each(|(o, f)| c.insert(*o, f.clone()));
            c.save().unwrap();
        });
        let size = std::fs::metadata(dir.path().join("hookctl/facts.bin"))
            .unwrap()
            .len();
        println!(
            "insert all + save: {}   file {:.2} MB, {:.0} bytes/entry",
            ms(save),
            size as f64 / 1e6,
            size as f64 / n as f64
        );

        let load = median(runs, || {
            let c = FactsCache::load(dir.path(), fp);
            assert_eq!(c.len(), n);
        });
        println!("load:              {}", ms(load));

        let c = FactsCache::load(dir.path(), fp);
        let get1 = median(runs, || {
            for (o, _) in &all {
                std::hint::black_box(c.get(o).unwrap());
            }
        });
        println!("get all, 1 thread: {}", ms(get1));
        let getp = median(runs, || {
            all.par_iter().for_each(|(o, _)| {
                std::hint::black_box(c.get(o).unwrap());
            });
        });
        println!("get all, rayon:    {}", ms(getp));
        let warm = median(runs, || {
            let c = FactsCache::load(dir.path(), fp);
            let got: Vec<Facts> = all.par_iter().map(|(o, _)| c.get(o).unwrap()).collect();
            std::hint::black_box(got);
            c.save().unwrap();
        });
        println!("warm run (load + get all, rayon + save no-op): {}", ms(warm));
        let one_changed = median(runs, || {
            let c = FactsCache::load(dir.path(), fp);
            let got: Vec<Facts> = all.par_iter().map(|(o, _)| c.get(o).unwrap()).collect();
            std::hint::black_box(got);
            c.insert(all[0].0, all[0].1.clone());
            c.save().unwrap();
        });
        println!(
            "warm run, 1 changed blob (rewrites the file): {}",
            ms(one_changed)
        );

        // The entry encoding alone: hand-rolled vs bincode 2 (serde, standard config).
        let mut ours: Vec<Vec<u8>> = Vec::new();
        let enc_ours = median(runs, || {
            ours = all
                .iter()
                .map(|(_, f)| {
                    let mut v = Vec::with_capacity(128);
                    encode_facts(f, &mut v);
                    v
                })
                .collect();
        });
        let dec_ours = median(runs, || {
            for v in &ours {
                std::hint::black_box(decode_facts(v).unwrap());
            }
        });
        let cfg = bincode::config::standard();
        let mut theirs: Vec<Vec<u8>> = Vec::new();
        let enc_bc = median(runs, || {
            theirs = all
                .iter()
                .map(|(_, f)| bincode::serde::encode_to_vec(f, cfg).unwrap())
                .collect();
        });
        let dec_bc = median(runs, || {
            for v in &theirs {
                let (f, _): (Facts, usize) = bincode::serde::decode_from_slice(v, cfg).unwrap();
                std::hint::black_box(f);
            }
        });
        for (v, (_, f)) in ours.iter().zip(&all) {
            assert_eq!(&decode_facts(v).unwrap(), f);
        }
        let bytes = |v: &Vec<Vec<u8>>| v.iter().map(Vec::len).sum::<usize>() as f64 / n as f64;
        println!(
            "encoding hand-rolled: encode {} decode {} {:.0} bytes/entry",
            ms(enc_ours),
            ms(dec_ours),
            bytes(&ours)
        );
        println!(
            "encoding bincode 2:   encode {} decode {} {:.0} bytes/entry",
            ms(enc_bc),
            ms(dec_bc),
            bytes(&theirs)
        );
    }
}
