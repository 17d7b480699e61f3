//! Micro-benchmark of `scan::extract`: MB/s over a generated ~5 MB corpus of realistic TS and
//! TSX. Run with `cargo bench --bench scan`.
// Benchmarks and tests report to the developer directly, not through hookctl's output layer.
#![expect(clippy::print_stdout, reason = "a benchmark prints its table")]

use std::fmt::Write as _;
use std::time::Instant;

use hookctl::scan::{Lang, ScanOptions, extract};

mod common;
use common::Rng;

const PACKAGES: &[&str] = &[
    "react",
    "next/link",
    "@/lib/utils",
    "zod",
    "../shared/api",
    "./styles.module.css",
    "lodash-es",
    "@tanstack/react-query",
];
const NAMES: &[&str] = &[
    "DATABASE_URL",
    "NEXT_PUBLIC_API",
    "NODE_ENV",
    "STRIPE_KEY",
    "SENTRY_DSN",
];

fn file(rng: &mut Rng, tsx: bool) -> String {
    let mut s = String::from("// Generated module: a service with a few helpers.\n");
    for i in 0..(3 + rng.next() % 8) {
        match rng.next() % 4 {
            0 => {
                let _ = writeln!(
                    s,
                    "import {{ helper{i}, type Opts{i} }} from '{}';",
                    rng.pick(PACKAGES)
                );
            }
            1 => {
                let _ = writeln!(s, "import type {{ Model{i} }} from '{}';", rng.pick(PACKAGES));
            }
            2 => {
                let _ = writeln!(s, "import * as ns{i} from \"{}\";", rng.pick(PACKAGES));
            }
            _ => {
                let _ = writeln!(s, "import def{i} from '{}';", rng.pick(PACKAGES));
            }
        }
    }
    s += "\nconst config = {\n";
    for name in NAMES.iter().take(1 + rng.next() % NAMES.len()) {
        let _ = writeln!(s, "  {}: process.env.{name} ?? '',", name.to_lowercase());
    }
    s += "};\n\n";
    for f in 0..(4 + rng.next() % 10) {
        let _ = writeln!(
            s,
            "/**\n * Loads item {f} and maps it.\n * @param id the id\n */\nexport async function load{f}<T extends {{ id: string }}>(id: string, opts?: Partial<T>): Promise<T[]> {{\n  const res = await fetch(`${{config.api}}/items/${{id}}?page=${{opts ? 1 : 0}}`);\n  if (!res.ok) {{\n    throw new Error(`failed: ${{res.status}}`);\n  }}\n  const data = (await res.json()) as T[];\n  return data.filter((x) => x.id !== '{f}').map((x, i) => ({{ ...x, index: i * {f} }}));\n}}\n"
        );
        if rng.next().is_multiple_of(3) {
            let _ = writeln!(s, "const lazy{f} = () => import('./chunks/part{f}');");
        }
    }
    if tsx {
        s += "export function View({ items }: { items: string[] }) {\n  return (\n    <ul className=\"list\">\n      {items.map((item) => (\n        <li key={item} onClick={() => console.log(item)}>{item}</li>\n      ))}\n    </ul>\n  );\n}\n";
    } else {
        s += "export class Store<T> {\n  private items = new Map<string, T>();\n  get(id: string): T | undefined { return this.items.get(id); }\n  set(id: string, v: T): void { this.items.set(id, v); }\n}\n";
    }
    s
}

fn main() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut corpus = Vec::new();
    let mut bytes = 0;
    while bytes < 5 * 1024 * 1024 {
        let tsx = rng.next().is_multiple_of(3);
        let text = file(&mut rng, tsx);
        bytes += text.len();
        corpus.push((if tsx { Lang::Tsx } else { Lang::TypeScript }, text));
    }
    let opts = ScanOptions::default();
    let mb = bytes as f64 / (1024.0 * 1024.0);
    // Baseline: tree-sitter parsing alone (no pre-scan, no walk), to see what the walk costs.
    // Rounds alternate the two, so that noise from other processes hits both alike.
    let mut parsers = [Lang::TypeScript, Lang::Tsx].map(|lang| {
        let mut p = tree_sitter::Parser::new();
        let language: tree_sitter::Language = match lang {
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        };
        p.set_language(&language).expect("grammar loads");
        p
    });
    let mut rates = Vec::new();
    let mut parse_rates = Vec::new();
    let mut facts = 0;
    for _ in 0..7 {
        let start = Instant::now();
        for (lang, text) in &corpus {
            let parser = &mut parsers[usize::from(*lang == Lang::Tsx)];
            std::hint::black_box(parser.parse(text, None));
        }
        parse_rates.push(mb / start.elapsed().as_secs_f64());

        let start = Instant::now();
        facts = 0;
        for (lang, text) in &corpus {
            let f = extract(*lang, text.as_bytes(), &opts);
            facts += f.imports.len() + f.env_reads.len();
        }
        rates.push(mb / start.elapsed().as_secs_f64());
    }
    parse_rates.sort_by(f64::total_cmp);
    rates.sort_by(f64::total_cmp);
    println!(
        "scan::extract: {:.1} MB in {} files, {facts} facts per pass; median {:.1} MB/s (min {:.1}, max {:.1})",
        mb,
        corpus.len(),
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1]
    );
    println!(
        "tree-sitter parse alone: median {:.1} MB/s",
        parse_rates[parse_rates.len() / 2]
    );
}
