//! Tests of `extract`: a table of every form (and of what must stay silent), then property
//! tests. Facts are rendered one per line so a failure shows the whole difference.

use proptest::prelude::*;
use std::fmt::Write as _;

use super::{EnvSource, Facts, ImportKind, Lang, ScanOptions, extract};

use EnvSource::*;
use ImportKind::*;
use Lang::{Tsx, TypeScript as Ts};

fn opts() -> ScanOptions {
    ScanOptions {
        env_accessors: vec!["env".into(), "getEnv".into()],
    }
}

/// `import Static a 1:15 type`, `env ProcessEnv X 1:13`, `env ProcessEnv ? 1:13`, `ignore 3 [a/b]`
fn render(facts: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    for i in &facts.imports {
        let ty = if i.type_only { " type" } else { "" };
        out.push(format!(
            "import {:?} {} {}:{}{ty}",
            i.kind, i.specifier, i.span.line, i.span.column
        ));
    }
    for r in &facts.env_reads {
        let name = r.name.as_deref().unwrap_or("?");
        out.push(format!(
            "env {:?} {name} {}:{}",
            r.source, r.span.line, r.span.column
        ));
    }
    for s in &facts.suppressions {
        out.push(format!("ignore {} [{}]", s.line, s.rules.join(" ")));
    }
    out
}

fn imp(kind: ImportKind, spec: &str, line: u32, col: u32) -> String {
    format!("import {kind:?} {spec} {line}:{col}")
}

fn imp_type(kind: ImportKind, spec: &str, line: u32, col: u32) -> String {
    format!("import {kind:?} {spec} {line}:{col} type")
}

fn env(source: EnvSource, name: &str, line: u32, col: u32) -> String {
    format!("env {source:?} {name} {line}:{col}")
}

fn ignore(line: u32, rules: &str) -> String {
    format!("ignore {line} [{rules}]")
}

#[expect(clippy::too_many_lines, reason = "a table of cases: one row each")]
fn cases() -> Vec<(Lang, &'static str, Vec<String>)> {
    vec![
        // ---- static imports and re-exports ----
        (Ts, "import x from 'a';", vec![imp(Static, "a", 1, 15)]),
        (Ts, "import {x} from 'a';", vec![imp(Static, "a", 1, 17)]),
        (Ts, "import * as x from 'a';", vec![imp(Static, "a", 1, 20)]),
        (
            Ts,
            "import D, { y as z } from \"a\";",
            vec![imp(Static, "a", 1, 27)],
        ),
        (Ts, "import 'a';", vec![imp(SideEffect, "a", 1, 8)]),
        (Ts, "export * from 'a';", vec![imp(ExportFrom, "a", 1, 15)]),
        (Ts, "export {x} from 'a';", vec![imp(ExportFrom, "a", 1, 17)]),
        (Ts, "export * as ns from 'a';", vec![imp(ExportFrom, "a", 1, 21)]),
        (Ts, "export { x }; export const y = 1; export default z;", vec![]),
        (
            Ts,
            "import x = require('a');",
            vec![imp(ImportEquals, "a", 1, 20)],
        ),
        (Ts, "import x = M.N;", vec![]),
        // ---- dynamic, require, mocks ----
        (Ts, "import('a');", vec![imp(Dynamic, "a", 1, 8)]),
        (
            Ts,
            "const m = await import('a', { with: { type: 'json' } });",
            vec![imp(Dynamic, "a", 1, 24)],
        ),
        (Ts, "require('a');", vec![imp(Require, "a", 1, 9)]),
        (
            Ts,
            "const { a } = require(\"./a.js\");",
            vec![imp(Require, "./a.js", 1, 23)],
        ),
        (Ts, "require.resolve('a');", vec![imp(Require, "a", 1, 17)]),
        (Ts, "require(`a`);", vec![imp(Require, "a", 1, 9)]),
        (
            Ts,
            "import(`./pages/home`);",
            vec![imp(Dynamic, "./pages/home", 1, 8)],
        ),
        (Ts, "jest.mock('a');", vec![imp(Mock, "a", 1, 11)]),
        (Ts, "vi.mock('a', () => ({}));", vec![imp(Mock, "a", 1, 9)]),
        (Ts, "jest.doMock('a');", vec![imp(Mock, "a", 1, 13)]),
        (Ts, "jest.unmock('a');", vec![imp(Mock, "a", 1, 13)]),
        (Ts, "jest.requireActual('a');", vec![imp(Mock, "a", 1, 20)]),
        (Ts, "jest.requireMock('a');", vec![imp(Mock, "a", 1, 18)]),
        (Ts, "await vi.importActual('a');", vec![imp(Mock, "a", 1, 23)]),
        (Ts, "vi.doMock('a');", vec![imp(Mock, "a", 1, 11)]),
        // A virtual mock names a module that need not exist (jest's `{virtual: true}`); the
        // option must be `true`, and the mock has its factory.
        (
            Ts,
            "jest.mock('../virtual', () => ({}), {virtual: true});",
            vec![],
        ),
        (Ts, "jest.doMock('/abs', () => 1, {'virtual': true});", vec![]),
        (
            Ts,
            "jest.mock('./a', () => ({}), {virtual: false});",
            vec![imp(Mock, "./a", 1, 11)],
        ),
        (
            Ts,
            "jest.unstable_mockModule('./esm', () => ({}));",
            vec![imp(Mock, "./esm", 1, 26)],
        ),
        (
            Ts,
            "jest.unstable_mockModule('./esm', () => ({}), {virtual: true});",
            vec![],
        ),
        // `require.resolve(x, {paths})` resolves from other folders.
        (Ts, "require.resolve('./mod.js', {paths: ['../dir']});", vec![]),
        // ---- triple-slash references ----
        (
            Ts,
            "/// <reference path=\"a\" />",
            vec![imp(Reference, "a", 1, 21)],
        ),
        (
            Ts,
            "// header\n/* block */\n/// <reference path='./g.d.ts' />\n/// <reference types=\"node\" />\nimport x from 'b';\n/// <reference path=\"c\" />",
            vec![imp(Reference, "./g.d.ts", 3, 21), imp(Static, "b", 5, 15)],
        ),
        (
            Ts,
            "/// <reference types=\"node\" />\n/// <reference lib=\"dom\" />",
            vec![],
        ),
        (Ts, "const a = 1;\n/// <reference path=\"late\" />", vec![]),
        (Ts, "function f() {\n/// <reference path=\"inner\" />\n}", vec![]),
        // ---- type-only ----
        (Ts, "import type x from 'a';", vec![imp_type(Static, "a", 1, 20)]),
        (
            Ts,
            "import type { X } from 'a';",
            vec![imp_type(Static, "a", 1, 24)],
        ),
        (
            Ts,
            "export type { X } from 'a';",
            vec![imp_type(ExportFrom, "a", 1, 24)],
        ),
        (
            Ts,
            "export type * from 'a';",
            vec![imp_type(ExportFrom, "a", 1, 20)],
        ),
        (
            Ts,
            "export { type X, type Y } from 'a';",
            vec![imp_type(ExportFrom, "a", 1, 32)],
        ),
        (
            Ts,
            "export { type X, Y } from 'a';",
            vec![imp(ExportFrom, "a", 1, 27)],
        ),
        (
            Ts,
            "import { type A, type B } from 'a';",
            vec![imp_type(Static, "a", 1, 32)],
        ),
        (
            Ts,
            "import { type A, B } from 'a';",
            vec![imp(Static, "a", 1, 27)],
        ),
        (
            Ts,
            "import D, { type A } from 'a';",
            vec![imp(Static, "a", 1, 27)],
        ),
        (Ts, "import * as N from 'a';", vec![imp(Static, "a", 1, 20)]),
        (Ts, "import {} from 'a';", vec![imp(Static, "a", 1, 16)]),
        // `type` as the default import's name is not the keyword
        (Ts, "import type from 'a';", vec![imp(Static, "a", 1, 18)]),
        (
            Ts,
            "import type X = require('a');",
            vec![imp_type(ImportEquals, "a", 1, 25)],
        ),
        (
            Ts,
            "let x: typeof import('./x');",
            vec![imp_type(Dynamic, "./x", 1, 22)],
        ),
        (
            Ts,
            "type T = import('./x').Foo;",
            vec![imp_type(Dynamic, "./x", 1, 17)],
        ),
        (
            Ts,
            "let y: import('./y').Bar;",
            vec![imp_type(Dynamic, "./y", 1, 15)],
        ),
        (
            Ts,
            "const z = w as import('./z').Baz;",
            vec![imp_type(Dynamic, "./z", 1, 23)],
        ),
        (
            Ts,
            "function f(a: typeof import('./p')) {}",
            vec![imp_type(Dynamic, "./p", 1, 29)],
        ),
        (
            Ts,
            "const m = jest.requireActual<typeof import('./m')>('./m');",
            vec![imp_type(Dynamic, "./m", 1, 44), imp(Mock, "./m", 1, 52)],
        ),
        (
            Ts,
            "const m = await vi.importActual<typeof import('./m')>('./m');",
            vec![imp_type(Dynamic, "./m", 1, 47), imp(Mock, "./m", 1, 55)],
        ),
        (
            Ts,
            "const r = a < b > ('x'); const s = require<T>('y');",
            vec![imp(Require, "y", 1, 47)],
        ),
        // ---- what must stay silent ----
        (Ts, "/** @type {import('x')} */\nlet a;", vec![]),
        (Ts, "/** @typedef {import('./t').T} T */", vec![]),
        (
            Ts,
            "// import x from 'a'\n/* require('b') */\nconst s = \"import('c')\";",
            vec![],
        ),
        (
            Ts,
            "const t = 'require(\"d\")'; const u = `import e from 'e'`;",
            vec![],
        ),
        (
            Ts,
            "require(name); import(p); require(`a${b}`); import('a' + b);",
            vec![],
        ),
        (
            Ts,
            "require('a', 'b'); require(); require(...xs); import();",
            vec![],
        ),
        (
            Ts,
            "foo.require('x'); a.b.require('y'); jest.fn('z'); other.mock('w');",
            vec![],
        ),
        (Ts, "const require = 1; new require('x');", vec![]),
        (Ts, "require`a`;", vec![]),
        // ---- escapes ----
        (Ts, "import '\\x41';", vec![imp(SideEffect, "A", 1, 8)]),
        (Ts, "require('\\u{41}b');", vec![imp(Require, "Ab", 1, 9)]),
        (Ts, "require(\"a\\\\b\");", vec![imp(Require, "a\\b", 1, 9)]),
        (
            Ts,
            "import x from '\\u0040scope/pkg';",
            vec![imp(Static, "@scope/pkg", 1, 15)],
        ),
        // ---- env reads ----
        (Ts, "process.env.X;", vec![env(ProcessEnv, "X", 1, 13)]),
        (Ts, "process.env['X'];", vec![env(ProcessEnv, "X", 1, 13)]),
        (Ts, "process.env[`X`];", vec![env(ProcessEnv, "X", 1, 13)]),
        (Ts, "process.env?.X;", vec![env(ProcessEnv, "X", 1, 14)]),
        (Ts, "process?.env?.X;", vec![env(ProcessEnv, "X", 1, 15)]),
        (Ts, "process.env?.['X'];", vec![env(ProcessEnv, "X", 1, 15)]),
        (Ts, "globalThis.process.env.X;", vec![env(ProcessEnv, "X", 1, 24)]),
        (Ts, "process.env!.X;", vec![env(ProcessEnv, "X", 1, 14)]),
        (Ts, "(process.env as Env).X;", vec![env(ProcessEnv, "X", 1, 22)]),
        (Ts, "import.meta.env.X;", vec![env(ImportMetaEnv, "X", 1, 17)]),
        (Ts, "import.meta.env['X'];", vec![env(ImportMetaEnv, "X", 1, 17)]),
        (Ts, "Deno.env.get('X');", vec![env(DenoEnv, "X", 1, 14)]),
        (Ts, "Deno.env.get(key);", vec![env(DenoEnv, "?", 1, 14)]),
        (Ts, "Bun.env.X;", vec![env(BunEnv, "X", 1, 9)]),
        (Ts, "Bun.env['X'];", vec![env(BunEnv, "X", 1, 9)]),
        (
            Ts,
            "env('X');\nconfig.getEnv(\"Y\");",
            vec![env(Accessor, "X", 1, 5), env(Accessor, "Y", 2, 15)],
        ),
        (Ts, "env(key); notEnv('X'); env.X;", vec![]),
        (Ts, "typeof process.env.X;", vec![env(ProcessEnv, "X", 1, 20)]),
        (
            Ts,
            "if (process.env.X === '1') {}",
            vec![env(ProcessEnv, "X", 1, 17)],
        ),
        (
            Ts,
            "const a = process.env.A || process.env.B;",
            vec![env(ProcessEnv, "A", 1, 23), env(ProcessEnv, "B", 1, 40)],
        ),
        (Ts, "process.env.X.trim();", vec![env(ProcessEnv, "X", 1, 13)]),
        (Ts, "process.env.env;", vec![env(ProcessEnv, "env", 1, 13)]),
        // destructuring
        (
            Ts,
            "const { X, Y: y, Z = 1, 'W': w, ...rest } = process.env;",
            vec![
                env(ProcessEnv, "X", 1, 9),
                env(ProcessEnv, "Y", 1, 12),
                env(ProcessEnv, "Z", 1, 18),
                env(ProcessEnv, "W", 1, 25),
            ],
        ),
        (
            Ts,
            "const { A } = import.meta.env;",
            vec![env(ImportMetaEnv, "A", 1, 9)],
        ),
        (Ts, "const { B } = Bun.env;", vec![env(BunEnv, "B", 1, 9)]),
        (
            Ts,
            "const { C }: Env = process.env;",
            vec![env(ProcessEnv, "C", 1, 9)],
        ),
        (
            Ts,
            "function f({ X } = process.env) {}",
            vec![env(ProcessEnv, "X", 1, 14)],
        ),
        (
            Ts,
            "const g = ({ X }: E = process.env) => X;",
            vec![env(ProcessEnv, "X", 1, 14)],
        ),
        (Ts, "({ X } = process.env);", vec![env(ProcessEnv, "X", 1, 4)]),
        (
            Ts,
            "const { [k]: v } = process.env;",
            vec![env(ProcessEnv, "?", 1, 10)],
        ),
        (
            Ts,
            "const { ...all } = process.env; const { Q } = other.env;",
            vec![],
        ),
        // writes, and `process.env` itself, are not reads
        (Ts, "process.env.X = '1';", vec![]),
        (Ts, "process.env['X'] = '1';", vec![]),
        (
            Ts,
            "process.env.X ??= '1'; process.env.Y ||= '1'; process.env.Z += '1';",
            vec![],
        ),
        (Ts, "delete process.env.X; delete process.env['Y'];", vec![]),
        (Ts, "process.env.X++; --process.env.Y;", vec![]),
        (Ts, "process.env.X! = '1'; (process.env.Y) = '2';", vec![]),
        (
            Ts,
            "process.env.X = process.env.Y;",
            vec![env(ProcessEnv, "Y", 1, 29)],
        ),
        (
            Ts,
            "Object.keys(process.env); const e = process.env; f(process.env);",
            vec![],
        ),
        (
            Ts,
            "x.process.env.X; processs.env.Y; process.environment.Z; Deno.env.X;",
            vec![],
        ),
        (Ts, "// process.env.X\nconst s = 'process.env.Y';", vec![]),
        (Ts, "type T = typeof process.env.X;", vec![]),
        // dynamic keys
        (Ts, "process.env[name];", vec![env(ProcessEnv, "?", 1, 13)]),
        (Ts, "process.env[`${a}`];", vec![env(ProcessEnv, "?", 1, 13)]),
        (Ts, "process.env[name] = 'x';", vec![]),
        // ---- suppressions ----
        (
            Ts,
            "// hookctl-ignore imports/untracked env/undeclared\nimport x from 'a';",
            vec![
                imp(Static, "a", 2, 15),
                ignore(1, "imports/untracked env/undeclared"),
            ],
        ),
        (
            Ts,
            "/* hookctl-ignore\n   env/undeclared */\nprocess.env.X;",
            vec![env(ProcessEnv, "X", 3, 13), ignore(2, "env/undeclared")],
        ),
        (
            Ts,
            "import x from 'a'; // hookctl-ignore imports/untracked -- it is generated",
            vec![imp(Static, "a", 1, 15), ignore(1, "imports/untracked")],
        ),
        (Ts, "\n\n// hookctl-ignore", vec![ignore(3, "")]),
        (Ts, "const s = '// hookctl-ignore env/undeclared';", vec![]),
        (
            Tsx,
            "const a = <div>{/* hookctl-ignore env/undeclared */}{process.env.X}</div>;",
            vec![env(ProcessEnv, "X", 1, 66), ignore(1, "env/undeclared")],
        ),
        // ---- both grammars ----
        (
            Tsx,
            "import React from 'react';\nexport const A = () => <div className=\"x\">{require('./b')}</div>;\nconst C = import('./c');",
            vec![
                imp(Static, "react", 1, 19),
                imp(Require, "./b", 2, 52),
                imp(Dynamic, "./c", 3, 18),
            ],
        ),
        (Tsx, "const t = <p>import x from 'no'; require('no')</p>;", vec![]),
        (
            Ts,
            "const n = <number>x;\nimport y from 'a';",
            vec![imp(Static, "a", 2, 15)],
        ),
        // ---- columns count characters, not bytes ----
        (
            Ts,
            "const s = 'h\u{e9}llo\u{1F600}'; import('a');",
            vec![imp(Dynamic, "a", 1, 28)],
        ),
        (
            Ts,
            "/* \u{65e5}\u{672c} */ process.env.X;",
            vec![env(ProcessEnv, "X", 1, 22)],
        ),
    ]
}

#[test]
fn every_form() {
    let mut failures = Vec::new();
    let cases = cases();
    for (lang, src, want) in &cases {
        let got = render(&extract(*lang, src.as_bytes(), &opts()));
        if &got != want {
            failures.push(format!("{lang:?} {src:?}\n   got: {got:?}\n  want: {want:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn carries_on_past_error_nodes() {
    // Type arguments on a tagged template give the TS grammar an error (a MISSING node).
    let src = "const rows = await sql<User[]>`select * from t where id = ${id}`;\nimport z from 'z';\nprocess.env.X;";
    let facts = extract(Ts, src.as_bytes(), &opts());
    assert!(facts.had_errors);
    assert_eq!(
        render(&facts),
        vec![imp(Static, "z", 2, 15), env(ProcessEnv, "X", 3, 13)]
    );

    let src =
        "import a from 'a';\nconst x = ;\nlet y = 1 +* 2 @@ 3;\nimport b from 'b';\nif (x { require('c'); }";
    let facts = extract(Ts, src.as_bytes(), &opts());
    assert!(facts.had_errors);
    let specs: Vec<_> = facts.imports.iter().map(|i| i.specifier.as_str()).collect();
    assert_eq!(specs, ["a", "b", "c"]);
}

#[test]
fn grammar_follows_lang() {
    // `<T>x` casts are TS-only; JSX is TSX-only. Each parses cleanly in its own grammar only.
    let cast = "const n = <number>x;\nimport y from 'a';";
    assert!(!extract(Ts, cast.as_bytes(), &opts()).had_errors);
    assert!(extract(Tsx, cast.as_bytes(), &opts()).had_errors);
    let jsx = "const a = <div className=\"x\">{1}</div>;\nimport R from 'react';";
    assert!(!extract(Tsx, jsx.as_bytes(), &opts()).had_errors);
    assert!(extract(Ts, jsx.as_bytes(), &opts()).had_errors);
    // A file that reads no env is parsed up to the statement after its last import: an error
    // after that is not seen.
    let after = "import R from 'react';\nconst a = <div className=\"x\">{1}</div>;";
    assert!(!extract(Ts, after.as_bytes(), &opts()).had_errors);
}

#[test]
fn spans_are_byte_ranges_of_the_literal() {
    let src = "const s = '\u{e9}\u{1F600}';\nimport x from 'ab';";
    let facts = extract(Ts, src.as_bytes(), &opts());
    let span = facts.imports[0].span;
    assert_eq!(&src[span.start as usize..span.end as usize], "'ab'");
    assert_eq!((span.line, span.column), (2, 15));
    let src = "/* \u{e9} */ process.env['KEY'];";
    let read = &extract(Ts, src.as_bytes(), &opts()).env_reads[0];
    assert_eq!(&src[read.span.start as usize..read.span.end as usize], "'KEY'");
    assert_eq!(read.span.column, 21);
}

#[test]
fn accessor_names_defeat_the_pre_scan() {
    // No trigger word at all: only the configured accessor makes the file worth parsing.
    let src = "const port = cfg('PORT');";
    assert_eq!(extract(Ts, src.as_bytes(), &opts()), Facts::default());
    let with_cfg = ScanOptions {
        env_accessors: vec!["cfg".into()],
    };
    assert_eq!(
        render(&extract(Ts, src.as_bytes(), &with_cfg)),
        vec![env(Accessor, "PORT", 1, 18)]
    );
}

#[test]
fn suppressed_uses_extracted_lines() {
    let src =
        "import a from 'a';\n// hookctl-ignore imports/untracked\nimport b from 'b';\nimport c from 'c';";
    let facts = extract(Ts, src.as_bytes(), &opts());
    let lines: Vec<_> = facts.imports.iter().map(|i| i.span.line).collect();
    assert_eq!(lines, [1, 3, 4]);
    assert!(!facts.suppressed("imports/untracked", 1));
    assert!(facts.suppressed("imports/untracked", 3));
    assert!(!facts.suppressed("imports/untracked", 4));
    assert!(!facts.suppressed("env/undeclared", 3));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let deep_parens = format!(
        "import x from 'a';\nconst v = {}1{};\nrequire('b');",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    let facts = extract(Ts, deep_parens.as_bytes(), &opts());
    assert_eq!(facts.imports.len(), 2, "imports around deeply nested code");

    let deep_unclosed = format!("import x from 'a';{}", "{[(".repeat(30_000));
    assert_eq!(extract(Tsx, deep_unclosed.as_bytes(), &opts()).imports.len(), 1);

    let binary: Vec<u8> = (0..=255u8).cycle().take(100_000).chain(*b"import 'a';").collect();
    let _ = extract(Ts, &binary, &opts());
    let invalid_utf8 = b"import x from '\xff\xfe';\nprocess.env.\xc3(;".to_vec();
    let facts = extract(Ts, &invalid_utf8, &opts());
    assert_eq!(
        facts.imports.first().map(|i| i.specifier.as_str()),
        Some("\u{FFFD}\u{FFFD}")
    );
}

#[test]
fn minified_line_is_not_quadratic() {
    // 20k facts on a single 700 kB line: columns are computed incrementally.
    let line: String = (0..20_000)
        .map(|i| format!("require('m{i}');process.env.V{i};"))
        .collect();
    let start = std::time::Instant::now();
    let facts = extract(Ts, line.as_bytes(), &opts());
    assert_eq!(facts.imports.len(), 20_000);
    assert_eq!(facts.env_reads.len(), 20_000);
    let last = facts.env_reads.last().unwrap();
    assert_eq!(last.span.column as usize, line.rfind("V19999").unwrap() + 1);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

// ---- property tests ----

/// Line and column of byte `at`, computed independently of `pos.rs`.
fn line_col(src: &[u8], at: usize) -> (u32, u32) {
    let before = &src[..at];
    let line = 1 + before.iter().filter(|b| **b == b'\n').count();
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = 1 + String::from_utf8_lossy(&src[line_start..at]).chars().count();
    (line as u32, column as u32)
}

/// Every span lies inside the input, and its line and column agree with its start.
fn assert_spans_valid(src: &[u8], facts: &Facts) -> Result<(), TestCaseError> {
    let spans = facts
        .imports
        .iter()
        .map(|i| i.span)
        .chain(facts.env_reads.iter().map(|r| r.span));
    for span in spans {
        let (start, end) = (span.start as usize, span.end as usize);
        prop_assert!(
            start <= end && end <= src.len(),
            "span {span:?} outside {} bytes",
            src.len()
        );
        if std::str::from_utf8(src).is_ok() {
            prop_assert_eq!((span.line, span.column), line_col(src, start), "span {:?}", span);
        }
    }
    let lines = 1 + src.iter().filter(|b| **b == b'\n').count() as u32;
    for s in &facts.suppressions {
        prop_assert!(s.line >= 1 && s.line <= lines);
    }
    Ok(())
}

const SOUP: &[&str] = &[
    // Read-kind context: fallbacks, tests, guards, locals, schemas.
    "??",
    "||",
    "&&",
    "!",
    "===",
    "?",
    ":",
    "if",
    "return",
    "throw",
    "process.env.X",
    "Number",
    "Boolean",
    "v",
    ".optional()",
    "z.object",
    "import",
    "export",
    "type",
    "from",
    "require",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    "'a'",
    "\"b\"",
    "`c`",
    "`${",
    "x",
    "process",
    ".",
    "?.",
    "env",
    "import.meta",
    "Deno",
    "Bun",
    "get",
    "=",
    "??=",
    "++",
    "delete",
    "typeof",
    "const",
    ",",
    ";",
    "\n",
    " ",
    "//",
    "/*",
    "*/",
    "///",
    "<reference path=\"r\" />",
    "hookctl-ignore",
    "a/b",
    "jest.mock",
    "\\",
    "\u{e9}",
    "\u{1F600}",
    "<div>",
    "</div>",
    "=>",
    "...",
    "as",
    "satisfies",
    "!",
    ":",
    "`",
];

fn lang_of(tsx: bool) -> Lang {
    if tsx { Tsx } else { Ts }
}

#[derive(Debug, Clone)]
enum Stmt {
    Import {
        template: usize,
        spec: String,
        quote: usize,
    },
    Env {
        template: usize,
        name: String,
        quote: usize,
    },
}

/// Import statements: (text before the literal, text after, kind, `type_only`, quotes allowed).
const IMPORT_TEMPLATES: &[(&str, &str, ImportKind, bool, usize)] = &[
    ("import x{i} from ", ";", Static, false, 2),
    ("import {{ a{i} as b{i} }} from ", ";", Static, false, 2),
    ("import type {{ T{i} }} from ", ";", Static, true, 2),
    ("import {{ type U{i} }} from ", ";", Static, true, 2),
    ("import ", ";", SideEffect, false, 2),
    ("export * from ", ";", ExportFrom, false, 2),
    ("export type {{ V{i} }} from ", ";", ExportFrom, true, 2),
    ("import x{i} = require(", ");", ImportEquals, false, 2),
    ("const d{i} = await import(", ");", Dynamic, false, 3),
    ("let t{i}: typeof import(", ");", Dynamic, true, 2),
    ("const r{i} = require(", ");", Require, false, 3),
    ("jest.mock(", ", () => ({{}}));", Mock, false, 2),
];

/// Env reads: (text before the name, text after, source, quoted).
const ENV_TEMPLATES: &[(&str, &str, EnvSource, bool)] = &[
    ("const e{i} = process.env.", ";", ProcessEnv, false),
    ("const e{i} = process.env[", "];", ProcessEnv, true),
    ("if (process?.env?.", ") {{}}", ProcessEnv, false),
    ("const e{i} = import.meta.env.", ";", ImportMetaEnv, false),
    ("const {{ ", ": e{i} }} = process.env;", ProcessEnv, false),
    ("const {{ ", " }} = Bun.env;", BunEnv, false),
    ("const e{i} = Deno.env.get(", ");", DenoEnv, true),
    ("const e{i} = env(", ");", Accessor, true),
];

/// What goes between statements: blanks, comments (some multibyte) and silent decoys.
const SEPARATORS: &[&str] = &[
    "\n",
    " ",
    "\n\n  ",
    "\t",
    "\n// note \u{e9}\u{1F600}\n",
    " /* c \u{65e5}\u{672c} */ ",
    "\n/* multi\n line */\n",
    "\n/** @type {import('no')} */\n",
    "\nconst s = \"require('no') process.env.NO\";\n",
    "\r\n",
];

const QUOTES: [char; 3] = ['\'', '"', '`'];

fn stmt() -> impl Strategy<Value = Stmt> {
    let spec = "[a-z@./\u{e9}\u{65e5}][a-z0-9_./@\u{e9}\u{65e5}-]{0,12}";
    let name = "[A-Z_][A-Z0-9_]{0,12}";
    prop_oneof![
        (0..IMPORT_TEMPLATES.len(), spec, 0..3usize).prop_map(|(template, spec, quote)| Stmt::Import {
            template,
            spec,
            quote
        }),
        (0..ENV_TEMPLATES.len(), name, 0..3usize).prop_map(|(template, name, quote)| Stmt::Env {
            template,
            name,
            quote
        }),
    ]
}

type ExpectedImport = (String, ImportKind, bool, u32, u32);
type ExpectedEnv = (String, EnvSource, u32, u32);

/// Builds the program text and the facts it must yield, in order.
fn program(
    stmts: &[(Stmt, usize)],
    suppress: &[bool],
) -> (String, Vec<ExpectedImport>, Vec<ExpectedEnv>, Vec<u32>) {
    let mut text = String::new();
    let (mut imports, mut envs, mut ignores) = (Vec::new(), Vec::new(), Vec::new());
    for (i, ((stmt, sep), ignore)) in stmts.iter().zip(suppress).enumerate() {
        text += SEPARATORS[*sep];
        if *ignore {
            text += "// hookctl-ignore env/undeclared -- test\n";
            ignores.push(line_col(text.as_bytes(), text.len() - 1).0);
        }
        let fill = |t: &str| {
            t.replace("{i}", &i.to_string())
                .replace("{{", "{")
                .replace("}}", "}")
        };
        match stmt {
            Stmt::Import {
                template,
                spec,
                quote,
            } => {
                let (before, after, kind, type_only, quotes) = IMPORT_TEMPLATES[*template];
                let q = QUOTES[quote % quotes];
                text += &fill(before);
                let (line, col) = line_col(text.as_bytes(), text.len());
                imports.push((spec.clone(), kind, type_only, line, col));
                let _ = write!(text, "{q}{spec}{q}{}", fill(after));
            }
            Stmt::Env {
                template,
                name,
                quote,
            } => {
                let (before, after, source, quoted) = ENV_TEMPLATES[*template];
                text += &fill(before);
                let (line, col) = line_col(text.as_bytes(), text.len());
                envs.push((name.clone(), source, line, col));
                let q = if quoted {
                    QUOTES[*quote].to_string()
                } else {
                    String::new()
                };
                let _ = write!(text, "{q}{name}{q}{}", fill(after));
            }
        }
    }
    (text, imports, envs, ignores)
}

#[test]
fn use_client_directive_only_in_the_prologue() {
    let env = "process.env.SECRET_KEY;\n";
    let client = |src: &str, lang: Lang| extract(lang, src.as_bytes(), &opts()).use_client;
    for lang in [Ts, Tsx] {
        assert!(client(&format!("\"use client\";\n{env}"), lang));
        assert!(client(&format!("'use client'\n{env}"), lang));
        assert!(client(
            &format!("// c\n/* d */\n\"use strict\";\n'use client';\n{env}"),
            lang
        ));
        assert!(client(&format!("#!/usr/bin/env node\n'use client'\n{env}"), lang));
        // Not first: after an import, after code, not a plain string statement.
        assert!(!client(
            &format!("import x from 'x';\n'use client';\n{env}"),
            lang
        ));
        assert!(!client(&format!("{env}'use client';\n"), lang));
        assert!(!client(&format!("('use client');\n{env}"), lang));
        assert!(!client(&format!("'use client' + x;\n{env}"), lang));
        assert!(!client(&format!("'use server';\n{env}"), lang));
        assert!(!client(&format!("'use\\x20client';\n{env}"), lang));
        assert!(!client(env, lang));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..3000),
        trigger in any::<bool>(),
        tsx in any::<bool>(),
    ) {
        // With a trigger word in front the parser and the walk really run.
        let mut src = if trigger { b"import ".to_vec() } else { Vec::new() };
        src.extend_from_slice(&bytes);
        let facts = extract(lang_of(tsx), &src, &opts());
        assert_spans_valid(&src, &facts)?;
    }

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(SOUP), 0..120), tsx in any::<bool>()) {
        let src = tokens.concat();
        let facts = extract(lang_of(tsx), src.as_bytes(), &opts());
        assert_spans_valid(src.as_bytes(), &facts)?;
    }

    #[test]
    fn generated_programs_yield_exactly_their_facts(
        stmts in prop::collection::vec((stmt(), 0..SEPARATORS.len()), 0..25),
        suppress in prop::collection::vec(prop::bool::weighted(0.15), 25),
        tsx in any::<bool>(),
    ) {
        let (text, want_imports, want_envs, want_ignores) = program(&stmts, &suppress);
        let facts = extract(lang_of(tsx), text.as_bytes(), &opts());
        prop_assert!(!facts.had_errors, "parse errors in:\n{}", text);
        let imports: Vec<ExpectedImport> = facts
            .imports
            .iter()
            .map(|i| (i.specifier.clone(), i.kind, i.type_only, i.span.line, i.span.column))
            .collect();
        let envs: Vec<ExpectedEnv> = facts
            .env_reads
            .iter()
            .map(|r| (r.name.clone().unwrap_or_default(), r.source, r.span.line, r.span.column))
            .collect();
        let ignores: Vec<u32> = facts.suppressions.iter().map(|s| s.line).collect();
        prop_assert_eq!(imports, want_imports, "program:\n{}", text);
        prop_assert_eq!(envs, want_envs, "program:\n{}", text);
        prop_assert_eq!(ignores, want_ignores, "program:\n{}", text);
    }
}

/// Each read of `src` as `NAME:Kind`, in order.
fn kinds(lang: Lang, src: &str) -> Vec<String> {
    extract(lang, src.as_bytes(), &opts())
        .env_reads
        .iter()
        .map(|r| format!("{}:{:?}", r.name.as_deref().unwrap_or("?"), r.kind))
        .collect()
}

/// Every shape of read and the kind it gets: what unset does to the code (issue 19). Each
/// shape that is not plain has a twin that is.
#[expect(clippy::too_many_lines, reason = "a table of read shapes: one row each")]
#[test]
fn read_kinds() {
    use super::ReadKind::*;
    let table: &[(&str, &[(&str, super::ReadKind)])] = &[
        // ---- plain: the value is used as if it were there ----
        ("fetch(process.env.API_URL);", &[("API_URL", Plain)]),
        ("const u = new URL(process.env.API_URL);", &[("API_URL", Plain)]),
        ("export const url = process.env.API_URL;", &[("API_URL", Plain)]),
        ("const k = process.env.KEY!;", &[("KEY", Plain)]),
        ("const k = process.env.LIST.split(',');", &[("LIST", Plain)]),
        ("const s = `${process.env.HOST}:80`;", &[("HOST", Plain)]),
        ("const o = { apiKey: process.env.KEY };", &[("KEY", Plain)]),
        ("const n = JSON.parse(process.env.CONF);", &[("CONF", Plain)]),
        // ---- fallbacks ----
        (
            "const m = process.env.MSG ?? \"We'll be back soon\";",
            &[("MSG", Fallback)],
        ),
        ("const p = process.env.PORT || 3000;", &[("PORT", Fallback)]),
        (
            "const p = (process.env.PORT as string) || '3000';",
            &[("PORT", Fallback)],
        ),
        (
            "const l = Number(process.env.LIMIT) || 1000;",
            &[("LIMIT", Fallback)],
        ),
        (
            "const b = (process.env.BASE ?? '').replace(/x/, '');",
            &[("BASE", Fallback)],
        ),
        (
            "const a = process.env.A || process.env.B || 'd';",
            &[("A", Fallback), ("B", Fallback)],
        ),
        (
            "const a = process.env.A || process.env.B;",
            &[("A", Fallback), ("B", Plain)],
        ),
        ("const t = process.env.T?.trim() || 'x';", &[("T", Fallback)]),
        ("const { REGION = 'eu' } = process.env;", &[("REGION", Fallback)]),
        (
            "const { REGION: region = 'eu' } = process.env;",
            &[("REGION", Fallback)],
        ),
        (
            "const v = import.meta.env.VITE_ID || 'x';",
            &[("VITE_ID", Fallback)],
        ),
        (
            "const v = Deno.env.get('HOME_DIR') ?? '/';",
            &[("HOME_DIR", Fallback)],
        ),
        ("const v = env('X') ?? 'd';", &[("X", Fallback)]),
        // A fallback that throws is a requirement.
        (
            "const s = process.env.SECRET ?? throwMissing('SECRET');",
            &[("SECRET", Plain)],
        ),
        (
            "const s = process.env.SECRET ?? (() => { throw new Error('x') })();",
            &[("SECRET", Plain)],
        ),
        // ---- typeof / in ----
        ("if (typeof process.env.X === 'string') {}", &[("X", TypeGuard)]),
        (
            "const v = 'X' in process.env ? process.env.X : 'd';",
            &[("X", SameNameGuard)],
        ),
        (
            "const t = typeof Deno.env.get('NATIVE');",
            &[("NATIVE", TypeGuard)],
        ),
        // ---- flag tests ----
        (
            "const on = process.env.DEBUG_PERF === 'true';",
            &[("DEBUG_PERF", Flag)],
        ),
        ("if (process.env.MODE_X !== 'production') {}", &[("MODE_X", Flag)]),
        ("if (process.env.CLOUD_MODE) { go(); }", &[("CLOUD_MODE", Flag)]),
        ("if (process.env['VERBOSE']) { log(); }", &[("VERBOSE", Flag)]),
        ("const off = !process.env.TELEMETRY;", &[("TELEMETRY", Flag)]),
        ("const on = !!process.env.SST;", &[("SST", Flag)]),
        (
            "const db = process.env.PG_URL ? pg() : mock();",
            &[("PG_URL", Flag)],
        ),
        ("const x = process.env.A_FLAG && run();", &[("A_FLAG", Flag)]),
        ("const on = Boolean(process.env.ON);", &[("ON", Flag)]),
        (
            "switch (process.env.TIER) { case 'a': break; }",
            &[("TIER", Flag)],
        ),
        (
            "const on = process.env.OPT?.toLowerCase() === 'yes';",
            &[("OPT", Flag)],
        ),
        (
            "if (process.env.NODE_ENV === 'production' && process.env.SENTRY_DSN) {}",
            &[("NODE_ENV", Flag), ("SENTRY_DSN", Flag)],
        ),
        // A test whose `if` throws or exits: required.
        (
            "if (!process.env.DB_URL) throw new Error('set DB_URL');",
            &[("DB_URL", Plain)],
        ),
        (
            "if (!process.env.DB_URL) { process.exit(1); }",
            &[("DB_URL", Plain)],
        ),
        (
            "if (process.env.DB_URL === undefined) { console.error('x'); throw new Error('x'); }",
            &[("DB_URL", Plain)],
        ),
        (
            "if (!process.env.DB_URL) { console.warn('off'); }",
            &[("DB_URL", Flag)],
        ),
        // ---- under a test of the same name ----
        (
            "if (process.env.APP_URL) return process.env.APP_URL;",
            &[("APP_URL", Flag), ("APP_URL", SameNameGuard)],
        ),
        (
            "if (process.env.P && process.env.P.length > 0) { use(process.env.P); }",
            &[("P", Flag), ("P", SameNameGuard), ("P", SameNameGuard)],
        ),
        (
            "const b = process.env.BP ? process.env.BP.replace('/', '') : '/';",
            &[("BP", Flag), ("BP", SameNameGuard)],
        ),
        (
            "function f() { if (!process.env.K) return null; return client(process.env.K); }",
            &[("K", Flag), ("K", SameNameGuard)],
        ),
        // ...but not after a guard that throws, and not for another name.
        (
            "function f() { if (!process.env.K) throw new Error(); return client(process.env.K); }",
            &[("K", Plain), ("K", Plain)],
        ),
        (
            "if (process.env.A) { use(process.env.AB); }",
            &[("A", Flag), ("AB", Plain)],
        ),
        // ---- stored in a local, tested before use ----
        (
            "function f() { const key = process.env.PLAUSIBLE; if (!key) { return []; } return get(key); }",
            &[("PLAUSIBLE", TestedLocal)],
        ),
        (
            "const raw = process.env.POOL_MS; const ms = Number(raw ?? '60000');",
            &[("POOL_MS", TestedLocal)],
        ),
        (
            "const { APP_ENV } = process.env; const test = APP_ENV === 'test';",
            &[("APP_ENV", TestedLocal)],
        ),
        (
            "const { GRAPH_ID: id } = process.env; if (id) { report(id); }",
            &[("GRAPH_ID", TestedLocal)],
        ),
        (
            "let branch; branch = process.env.BRANCH; branch = branch || git();",
            &[("BRANCH", TestedLocal)],
        ),
        (
            "function f(p) { let s; if (p) { s = process.env.S_TEST; } else { s = process.env.S_LIVE; } if (!s) { return 400; } return s; }",
            &[("S_TEST", TestedLocal), ("S_LIVE", TestedLocal)],
        ),
        // Twins: used before any test, or tested by a guard that throws.
        (
            "function f(p) { let s; if (p) { s = process.env.S_TEST; } return new Stripe(s); }",
            &[("S_TEST", Plain)],
        ),
        (
            "function f() { const key = process.env.STRIPE; return new Stripe(key); }",
            &[("STRIPE", Plain)],
        ),
        (
            "function f() { const url = process.env.DB; if (!url) throw new Error('DB'); return url; }",
            &[("DB", Plain)],
        ),
        (
            "const { SECRET } = process.env; sign(SECRET);",
            &[("SECRET", Plain)],
        ),
        // ---- a value that goes only to a dependency, in a file that tests the name as on/off ----
        (
            "import { createClient } from 'redis'; class C { url: string; constructor(url: string) { const client = createClient({ url }); this.url = url; } } const enabled = !!process.env.REDIS_URL; function getClient() { return new C(process.env.REDIS_URL); } export const client = getClient();",
            &[("REDIS_URL", Flag), ("REDIS_URL", Dependency)],
        ),
        (
            "import Redis from 'ioredis'; export const on = !!process.env.R; export const r = new Redis(process.env.R);",
            &[("R", Flag), ("R", Dependency)],
        ),
        (
            "import * as redis from 'redis'; export const on = Boolean(process.env.R); export const r = redis.createClient({ url: process.env.R });",
            &[("R", Flag), ("R", Dependency)],
        ),
        (
            "const { createClient } = require('redis'); const on = !!process.env.R; const r = createClient(process.env.R);",
            &[("R", Flag), ("R", Dependency)],
        ),
        (
            "import { connect } from 'db'; function open(u) { return connect(u); } const on = !!process.env.R; export const c = open(process.env.R);",
            &[("R", Flag), ("R", Dependency)],
        ),
        // Twins: a global or a Node built-in that throws, a dereference in the file, a
        // relative import, no test of the name, a field used later, a local used after.
        (
            "import { createClient } from 'redis'; class C { constructor(url: string) { createClient({ url }); } } const enabled = !!process.env.REDIS_URL; export const c = new URL(process.env.REDIS_URL);",
            &[("REDIS_URL", Flag), ("REDIS_URL", Plain)],
        ),
        (
            "import { createClient } from 'redis'; class C { host: string; constructor(url: string) { createClient({ url }); this.host = url.split(':')[0]; } } const on = !!process.env.R; export const c = new C(process.env.R);",
            &[("R", Flag), ("R", Plain)],
        ),
        (
            "import { createClient } from 'redis'; class C { url: string; constructor(url: string) { createClient({ url }); this.url = url; } host() { return this.url.split(':')[0]; } } const on = !!process.env.R; export const c = new C(process.env.R);",
            &[("R", Flag), ("R", Plain)],
        ),
        (
            "import path from 'node:path'; import { join } from 'path'; const on = !!process.env.D; export const a = path.join(process.env.D); export const b = join(process.env.D);",
            &[("D", Flag), ("D", Plain), ("D", Plain)],
        ),
        (
            "import { connect } from './db'; const on = !!process.env.R; export const c = connect(process.env.R);",
            &[("R", Flag), ("R", Plain)],
        ),
        (
            "import { createClient } from 'redis'; export const c = createClient({ url: process.env.R_URL });",
            &[("R_URL", Plain)],
        ),
        (
            "import Redis from 'ioredis'; const on = !!process.env.R; export const r = new Redis(process.env.R.trim());",
            &[("R", Flag), ("R", Plain)],
        ),
        (
            "import Redis from 'ioredis'; const on = !!process.env.R; const url = process.env.R; export const r = new Redis(url); export const h = url.split(':');",
            &[("R", Flag), ("R", Plain)],
        ),
        (
            "import { createClient } from 'redis'; if (!process.env.R) throw new Error('R'); export const c = createClient({ url: process.env.R });",
            &[("R", Plain), ("R", Plain)],
        ),
        // ---- schemas ----
        (
            "export const env = createEnv({ server: { DB: z.string().url(), MSG: z.string().optional(), N: z.coerce.number().default(3) }, runtimeEnv: { DB: process.env.DB, MSG: process.env.MSG, N: process.env.N } });",
            &[("DB", Plain), ("MSG", SchemaOptional), ("N", SchemaOptional)],
        ),
        (
            "const S = v.object({ A: v.optional(v.string()), B: v.string() }); v.parse(S, { A: process.env.A, B: process.env.B });",
            &[("A", SchemaOptional), ("B", Plain)],
        ),
        (
            "const S = z.object({ 'A': z.string().nullish() }); S.parse({ A: process.env.A });",
            &[("A", SchemaOptional)],
        ),
    ];
    for (src, want) in table {
        let want: Vec<String> = want.iter().map(|(n, k)| format!("{n}:{k:?}")).collect();
        for lang in [Ts, Tsx] {
            assert_eq!(kinds(lang, src), want, "{src}");
        }
    }
}

/// The kinds in host files (`.vue`, `.svelte`) come from the same walk.
#[test]
fn read_kinds_in_host_files() {
    use super::sfc::{Host, extract_host};
    let vue = "<template><p/></template>\n<script setup lang=\"ts\">\nconst a = import.meta.env.VITE_A ?? 'x'\nconst b = import.meta.env.VITE_B\n</script>\n";
    let facts = extract_host(Host::Vue, vue.as_bytes(), &opts());
    let got: Vec<String> = facts
        .env_reads
        .iter()
        .map(|r| format!("{}:{:?}", r.name.as_deref().unwrap_or("?"), r.kind))
        .collect();
    assert_eq!(got, ["VITE_A:Fallback", "VITE_B:Plain"]);
}

/// Fragments of code for the prefilter property: facts of every kind, the same words misspelt
/// (no trigger left), and code that holds no fact.
const FRAGMENTS: &[&str] = &[
    "import a from './a';",
    "imprt a frm './a';",
    "export * from './b';",
    "export { c } fro './c';",
    "const d = require('d');",
    "const d = requir('d');",
    "await import('./e');",
    "/// <reference path=\"./f.d.ts\" />",
    "/// <refrence path=\"./f.d.ts\" />",
    "import g = require('g');",
    "jest.mock('./h');",
    "vi.doMock('./h');",
    "jst.mck('./h');",
    "process.env.API_URL;",
    "process.nv.API_URL;",
    "const { SECRET } = process.env;",
    "import.meta.env.VITE_X;",
    "Deno.env.get('DENO_X');",
    "Bun.env.BUN_X;",
    "getEnv('ACC_X');",
    "getEn('ACC_X');",
    "cfg('CFG_X');",
    "// hookctl-ignore imports/untracked",
    "// hookctl-ignor imports/untracked",
    "\"use client\";",
    "const n = 1 + 2;",
    "function f(x: number) { return x * 2; }",
    "class K { m() { return this; } }",
    "let s = `t ${n}`;",
    "if (a) { b(); } else { c(); }",
    "$env/static/private",
    "import { P } from '$env/static/public';",
    "const o = { process: 1, meta: 2 };",
    "<div className=\"x\">{y}</div>;",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The trigger-word prefilter (files without `import`, `require`, `env`, ... are not
    /// parsed) never drops a file in which a full parse and a walk of every subtree find an
    /// import, an env read or a suppression; and where it parses, skipping the subtrees
    /// without a trigger word finds the same facts.
    #[test]
    fn the_prefilter_drops_no_fact(
        picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..8),
        sep in prop_oneof![Just("\n"), Just(" "), Just(";\n")],
        accessor in prop_oneof![Just(None), Just(Some("cfg"))],
        tsx in any::<bool>(),
    ) {
        let src = picks.iter().map(|&i| FRAGMENTS[i]).collect::<Vec<_>>().join(sep);
        let opts = ScanOptions {
            env_accessors: accessor.into_iter().map(String::from).chain(["getEnv".to_string()]).collect(),
        };
        let lang = if tsx { Tsx } else { Ts };
        let full = super::extract::extract_parsed(lang, src.as_bytes(), &opts, true);
        let filtered = extract(lang, src.as_bytes(), &opts);
        if !super::extract::worth_parsing(src.as_bytes(), &opts) {
            prop_assert!(
                full.imports.is_empty() && full.env_reads.is_empty() && full.suppressions.is_empty(),
                "the prefilter drops {:?}: {:?}", src, render(&full)
            );
        }
        prop_assert_eq!(render(&filtered), render(&full), "{:?}", src);
    }
}

// ---- the prefix parse (files that can hold no env read are parsed up to their last fact) ----

/// `extract` of `src` (which may parse only a prefix) and a whole-file parse: the facts, with
/// `had_errors`, and whether the prefix was parsed alone.
fn prefix_and_whole(lang: Lang, src: &str) -> (Facts, Facts, bool) {
    prefix_and_whole_with(lang, src, &opts())
}

fn prefix_and_whole_with(lang: Lang, src: &str, opts: &ScanOptions) -> (Facts, Facts, bool) {
    let got = extract(lang, src.as_bytes(), opts);
    // `extract` before the prefix parse: the trigger-word prefilter, then the whole file.
    let whole = if super::extract::worth_parsing(src.as_bytes(), opts) {
        super::extract::extract_parsed(lang, src.as_bytes(), opts, false)
    } else {
        Facts::default()
    };
    let cut = super::extract::extract_prefix(lang, src.as_bytes(), opts).is_some();
    (got, whole, cut)
}

/// (source, the prefix alone is parsed). Every file parses without error whole.
const PREFIX_TABLE: &[(&str, bool)] = &[
    ("import a from 'a'\nconst x = 1\nfoo(x)\n", true),
    (
        "'use client'\nimport a from 'a'\nexport function F() { return a }\n",
        true,
    ),
    (
        "\"use client\";\n// hookctl-ignore imports/untracked\nimport a from 'a'\nlet x = 1\n",
        true,
    ),
    ("/// <reference path=\"./a.d.ts\" />\nconst x = 1\n", true),
    ("import a from 'a'\nconst b = a\n  + 1\nconst c = 2\n", true),
    // Continuation lines at column 0 before the cut: the cut is at the next keyword line.
    (
        "const r = require('r')\nlet x = r\n(1)\n[0]\n.m()\n`t`\nconst y = 1\n",
        true,
    ),
    ("const r = require('r')\n  ? 1\n  : 2\nfunction f() {}\n", true),
    ("try { require('t') } catch {}\nconst y = 1\n", true),
    ("if (a) require('a')\nelse b()\nvar z = 1\n", true),
    ("function f() {\nrequire('a')\n}\nfunction g() {}\n", true),
    (
        "jest.mock('./m', () => ({}))\ndescribe('x', () => {})\nclass K {}\n",
        true,
    ),
    ("export * from './a'\nexport const b = 1\n", true),
    (
        "import type { A } from 'a'\ndeclare module 'x' {\n  export const y: A\n}\ndeclare global {}\n",
        true,
    ),
    (
        "import a from 'a'\ntype T = number\ninterface I {}\nenum E { A }\nnamespace N {}\n",
        true,
    ),
    (
        "import a from 'a'\nabstract class A {}\nasync function f() {}\n",
        true,
    ),
    ("import a from 'a'\n@dec\nexport class K {}\n", false),
    ("import d from 'd'\n@d\nclass K {}\n", false),
    // The cut is at the first keyword line: here before `export default`.
    ("import a from 'a'\nexport default\nclass K {}\n", true),
    // A prefix ending in a word that takes the next line: not cut there.
    ("import a from 'a'; export default\nclass K {}\n", false),
    (
        "import a from 'a'; export default async\nfunction f() {}\n",
        false,
    ),
    ("import a from 'a'; let\nx = 1\n", false),
    ("import a from 'a'; declare\nconst x: number\n", false),
    (
        "import a from 'a'; const y = 1; type\nFoo = 1\nconst x = 2\n",
        true,
    ),
    ("import a from 'a'\nconst t = a satisfies\nany\n", true),
    // Template literals, block comments, strings and JSX across the cut: the prefix does not
    // parse, and the whole file is.
    ("const s = `\nimport x\nconst y = 1\n`\n", false),
    ("/* require('x')\nconst y */\nlet z = 1\n", false),
    ("const s = 'require(\\\nconst'\nlet z = 1\n", false),
    ("const j = <div>\n{require('x')}\nconst\n</div>\n", false),
    (
        "class A {\nm() { return require('a') }\nconst = 1\n}\nlet z = 1\n",
        false,
    ),
    ("import a from 'a'\r\nconst x = 1\r\n", true),
    ("import a from 'a'; type\r\nFoo = 1\r\n", false),
    // Trigger words that start no fact: cut before them.
    (
        "import a from 'a'\nconst b = Array.from(a)\nconst mockData = { important: true }\n",
        true,
    ),
    (
        "import a from 'a'\nconst environment = dotenv()\nconst y = 1\n",
        true,
    ),
    ("'use client'\nconst b = Array.from(a)\n", true),
    ("const b = Array.from(a)\n", true),
    // A file that may read env: `env`, `$env/...` as words of their own.
    ("import { A } from '$env/static/private'\nconst y = A\n", false),
    ("import a from 'a'\nconst y = a?.env\nconst z = 1\n", false),
    // No keyword line after the last trigger.
    ("import a from 'a'\nfoo()\n", false),
    ("import a from 'a'\ntype\nFoo = 1\n", false),
    ("import a from 'a'\nconstant = 1\n", false),
    // May read env: parsed whole.
    ("import a from 'a'\nconst x = process.env.X\nconst y = 1\n", false),
    ("import a from 'a'\nconst x = getEnv('X')\nconst y = 1\n", false),
];

#[test]
fn the_prefix_parse_finds_the_facts_of_the_whole_file() {
    for (src, want_cut) in PREFIX_TABLE {
        for lang in [Ts, Tsx] {
            if lang == Ts && src.contains("<div>") {
                continue;
            }
            let (got, whole, cut) = prefix_and_whole(lang, src);
            assert!(!whole.had_errors, "{lang:?} {src:?} does not parse");
            assert_eq!(got, whole, "{lang:?} {src:?}");
            assert_eq!(cut, *want_cut, "{lang:?} {src:?}: prefix parsed alone");
        }
    }
}

/// Host files' script blocks go through `extract` blanked in place: the cut falls inside a
/// block, and a second block's imports are after it or move it.
#[test]
fn the_prefix_parse_in_host_files() {
    use super::extract::WHOLE_ONLY;
    use super::sfc::{Host, extract_host};
    let table: &[(Host, &str)] = &[
        (
            Host::Vue,
            "<script setup lang=\"ts\">\nimport A from './A.vue'\nconst n = 1\nfunction f() {\nreturn n\n}\n</script>\n<template><A/></template>\n",
        ),
        (
            Host::Vue,
            "<script lang=\"ts\">\nimport a from './a'\nexport default {}\n</script>\n<script setup lang=\"ts\">\nimport B from './B.vue'\nconst m = 2\n</script>\n",
        ),
        (
            Host::Svelte,
            "<script lang=\"ts\">\n  import C from './C.svelte'\nlet x = 1\n  const y = Array.from([x])\n</script>\n<C/>\n",
        ),
        (
            Host::Astro,
            "---\nimport L from '../layouts/L.astro'\nconst t = 'x'\n---\n<L title={t}/>\n",
        ),
        (
            Host::Mdx,
            "import { Chart } from './chart'\nexport const meta = {}\n\n# Title\n\n<Chart/>\n",
        ),
    ];
    for (host, src) in table {
        let got = extract_host(*host, src.as_bytes(), &opts());
        WHOLE_ONLY.with(|w| w.set(true));
        let whole = extract_host(*host, src.as_bytes(), &opts());
        WHOLE_ONLY.with(|w| w.set(false));
        assert!(!got.imports.is_empty(), "{src:?}");
        assert_eq!(got, whole, "{src:?}");
    }
}

/// Units of the cut property's programs that hold a trigger word, one or more lines each
/// (`{i}` is the unit's number): facts, and constructs that carry a trigger word or a keyword
/// line across lines.
const CUT_FACT_UNITS: &[&str] = &[
    "import a{i} from './a{i}'",
    "import type {{ T{i} }} from 't{i}'",
    "const r{i} = require('r{i}')",
    "jest.mock('./m{i}')",
    "export * from './e{i}'",
    "export {{ x as y{i} }} from './x{i}'",
    "// hookctl-ignore imports/untracked",
    "/// <reference path=\"./p{i}.d.ts\" />",
    "const d{i} = await import('./d{i}')",
    "try {{ require('g{i}') }} catch {{}}",
    "if (a) {{ require('z{i}') }}",
    "let q{i}: typeof import('q{i}')",
    "const t{i} = `\nconst z = 1\nimport q\n`",
    "const u{i} = `${{\nrequire('u')\n}}`",
    "/*\nconst z = 1\nrequire('c')\n*/",
    "/**\n * @type {{import('no')}}\n */",
    "function g{i}() {{\nconst inner = 1\nreturn require('in')\n}}",
    "const j{i} = <div>\nconst\n{{require('j')}}\n</div>",
    // A prologue the next line ends early: `\"use client\"` is a directive in the prefix alone.
    "'import'; \"use client\"\n.length",
    "\"use client\" // hookctl-ignore\n.length",
    "'use client'; const k{i} = require('k{i}')\n+ 1",
    "const m{i} = await vi.importActual<typeof import('./m{i}')>\n('./m{i}')",
    // Facts whose trigger word is not where the statement starts, or whose node spans lines.
    "export {{\ntype A{i},\n}} from './ta{i}'",
    "export * from /* c */ './c{i}'",
    "export * from\n'./n{i}'",
    "jest.mock(\n'./jm{i}',\n)",
    "jest\n.mock('./jn{i}')",
    "vi.doMock('./vm{i}', () => ({{\nconst: 1,\n}}))",
    "const ra{i} = jest.requireActual('./ra{i}')",
    "const ia{i} = await vi.importActual('./ia{i}')",
    "const dy{i} = import(\n'./dy{i}'\n)",
    "export const ro{i} = require\n.resolve('./ro{i}')",
    "const v{i} = process.env.V{i}\nexport const w{i} = v{i} ?? 'd'",
    "const g{i} = getEnv('G{i}')\nexport const h{i} = g{i} || 'd'",
];

/// Units without a trigger word: keyword lines where a cut may fall, lines that continue the
/// statement before, constructs that carry a keyword line across lines.
const CUT_PLAIN_UNITS: &[&str] = &[
    // Trigger words that cannot start a fact: the file is parsed, and cut before them.
    "const af{i} = Array.from(b)",
    "const mockData{i} = {{ important: 1 }}",
    "export const fromX{i} = 'from'",
    "let environment{i} = dotenv()",
    "const avi{i} = jestConfig",
    "'use client'",
    "const n{i} = 1",
    "export function f{i}() {{}}",
    "let l{i} = 2",
    "var v{i} = 3",
    "class C{i} {{}}",
    "interface I{i} {{}}",
    "type T{i} = number",
    "enum E{i} {{ A }}",
    "declare const dc{i}: number",
    "abstract class AC{i} {{}}",
    "namespace N{i} {{}}",
    "async function af{i}() {{}}",
    "export const ec{i} = 1",
    "export default class {{}}",
    "foo{i}()",
    "const b{i} = x\n(y)",
    "let c{i} = [1]\n[0]",
    "const o{i} = obj\n.m()",
    "const p{i} = 1\n+ 2",
    "const p{i} = a\n? b\n: c",
    "const e{i} = a\nin b",
    "const w{i} = x\ninstanceof Z",
    "const s{i} = a as\nany",
    "const tt{i} = a\n`t`",
    "@dec\nexport class K{i} {{}}",
    "@dec\nclass K{i} {{}}",
    "export default\nclass {{}}",
    "export default async\nfunction af{i}() {{}}",
    "if (a) b()\nelse c()",
    "do {{}}\nwhile (0)",
    "try {{}}\nfinally {{}}",
    "declare\nconst dd{i}: number",
    "let\nlx{i} = 1",
    "const s{i} = 'a\\\nconst b'",
    "class M{i} {{\nm() {{}}\n}}",
    "x{i} = y\n/re/g",
    "export =\nfoo",
];

/// What goes after a unit.
const SEPS: [&str; 4] = ["\n", ";\n", "\n\n", " "];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Wherever the cut falls, `extract` (which parses only the prefix of a file that can hold
    /// no env read) finds the facts of a whole-file parse, for every program that parses.
    #[test]
    fn the_prefix_parse_changes_no_fact(
        head in proptest::collection::vec((0..CUT_FACT_UNITS.len() + CUT_PLAIN_UNITS.len(), prop::sample::select(&SEPS[..])), 1..6),
        tail in proptest::collection::vec((0..CUT_PLAIN_UNITS.len(), prop::sample::select(&SEPS[..])), 0..6),
        env_accessor in any::<bool>(),
        tsx in any::<bool>(),
    ) {
        let mut src = String::new();
        let units = head.iter().map(|&(u, sep)| {
            let unit = CUT_FACT_UNITS.get(u).copied();
            (unit.unwrap_or_else(|| CUT_PLAIN_UNITS[u - CUT_FACT_UNITS.len()]), sep)
        });
        let units = units.chain(tail.iter().map(|&(u, sep)| (CUT_PLAIN_UNITS[u], sep)));
        for (i, (unit, sep)) in units.enumerate() {
            src += &unit
                .replace("{i}", &i.to_string())
                .replace("{{", "{")
                .replace("}}", "}");
            src += sep;
        }
        // With `env` an accessor every file that says `env` holds one; without, only the
        // rule for `env` itself keeps a file that may read env whole.
        let opts = ScanOptions {
            env_accessors: if env_accessor { opts().env_accessors } else { vec!["getEnv".into()] },
        };
        let (got, whole, _) = prefix_and_whole_with(lang_of(tsx), &src, &opts);
        if !whole.had_errors {
            prop_assert_eq!(got, whole, "{:?}", src);
        }
    }
}

/// The prefix parse on real files: `HOOKCTL_PREFIX_CORPUS=dir[:dir...] cargo nextest run
/// --run-ignored only prefix_parse_on_a_corpus --no-capture`. Every TS/JS and host file's facts
/// (`had_errors` aside) must equal a whole-file parse's; prints how many bytes were parsed.
#[test]
#[ignore = "needs HOOKCTL_PREFIX_CORPUS"]
#[expect(
    clippy::print_stderr,
    reason = "a measurement run by hand: it prints what it found"
)]
fn prefix_parse_on_a_corpus() {
    use super::FileKind;
    use super::extract::WHOLE_ONLY;
    let dirs = crate::env_vars::get("HOOKCTL_PREFIX_CORPUS").expect("HOOKCTL_PREFIX_CORPUS");
    for dir in dirs.split(':') {
        let opts = ScanOptions::default();
        let (mut files, mut cut, mut fallback, mut err_diff, mut differ) = (0, 0, 0, 0, 0);
        let (mut all_bytes, mut parsed_bytes) = (0usize, 0usize);
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(path) = stack.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                if name == ".git" || name == "node_modules" {
                    continue;
                }
                for e in std::fs::read_dir(&path).unwrap().flatten() {
                    stack.push(e.path());
                }
                continue;
            }
            let Some(kind) = path.to_str().and_then(FileKind::for_path) else {
                continue;
            };
            if matches!(kind, FileKind::Style(_)) || !meta.is_file() {
                continue;
            }
            let src = std::fs::read(&path).unwrap();
            files += 1;
            let new = super::extract_file(kind, &src, &opts);
            WHOLE_ONLY.with(|w| w.set(true));
            let old = super::extract_file(kind, &src, &opts);
            WHOLE_ONLY.with(|w| w.set(false));
            if new.had_errors != old.had_errors {
                err_diff += 1;
            }
            let strip = |f: &Facts| Facts {
                had_errors: false,
                ..f.clone()
            };
            if strip(&new) != strip(&old) {
                differ += 1;
                eprintln!("DIFFERS {}", path.display());
            }
            if let FileKind::Script(lang) = kind
                && super::extract::worth_parsing(&src, &opts)
            {
                all_bytes += src.len();
                match super::extract::prefix_cut(&src, &opts) {
                    Some(at) if super::extract::extract_prefix(lang, &src, &opts).is_some() => {
                        cut += 1;
                        parsed_bytes += at;
                    }
                    Some(at) => {
                        fallback += 1;
                        parsed_bytes += at + src.len();
                    }
                    None => parsed_bytes += src.len(),
                }
            }
        }
        eprintln!(
            "{dir}: {files} files, {cut} parsed to a cut, {fallback} cut tried and parsed whole, \
             {differ} differ, had_errors differs in {err_diff}; TS/JS bytes parsed {parsed_bytes} of {all_bytes} ({:.1}%)",
            100.0 * parsed_bytes as f64 / all_bytes.max(1) as f64
        );
        assert_eq!(differ, 0);
    }
}

/// `parse_extent` (the parse floor's measure of what a check parses): nothing for a file with
/// no trigger word, the prefix up to the cut, the whole file when it may read env or has no
/// cut.
#[test]
fn parse_extent_is_the_text_extract_parses_first() {
    let opts = ScanOptions::default();
    let cases: [(&str, Option<usize>); 4] = [
        ("const a = 1\nexport const b = 2\n", None),
        (
            "import a from 'a'\nexport const b = a\n",
            Some("import a from 'a'\n".len()),
        ),
        (
            "import a from 'a'\nconst x = process.env.X\nconst y = 1\n",
            Some("import a from 'a'\nconst x = process.env.X\nconst y = 1\n".len()),
        ),
        (
            "import a from 'a'\nfoo()\n",
            Some("import a from 'a'\nfoo()\n".len()),
        ),
    ];
    for (src, want) in cases {
        assert_eq!(super::parse_extent(src.as_bytes(), &opts), want, "{src:?}");
    }
}
