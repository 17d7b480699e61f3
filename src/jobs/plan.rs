//! What a job runs: its files (`glob`/`exclude`/`root` filtering) and its command lines
//! (`{files}` and `{1}`..`{9}` expanded in one pass, shell-quoted, split into chunks that fit
//! one `sh -c` argument).

use crate::platform::{OsStrExt, OsStringExt};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::config::JobConfig;
use crate::config::pattern::JobRoot;

/// Linux refuses a single argument longer than 128 KiB (`MAX_ARG_STRLEN`), and `sh -c` gets
/// the whole command as one argument, so each expanded command stays below this.
pub const MAX_COMMAND_BYTES: usize = 100_000;

/// What to do with one job.
#[derive(Debug, PartialEq)]
pub enum Plan {
    Skip(String),
    /// Run these commands one after another in `dir` (relative to the checkout's root).
    Run {
        dir: PathBuf,
        commands: Vec<OsString>,
        /// The job's files, repo-relative (what fix detection and staged views look at).
        files: Vec<PathBuf>,
    },
}

/// A job's folder, repository-relative (its `root`, checked when the configuration was read:
/// relative, inside the repository, `/`-separated, no trailing `/`).
pub fn job_root(job: &JobConfig) -> PathBuf {
    job.root
        .as_ref()
        .map_or_else(PathBuf::new, |r| r.folder().to_path_buf())
}

/// Plan a job once per folder: one run for a plain `root`; for a glob `root`, one run per
/// matching folder that holds some of `files` (each file belongs to the shallowest folder on
/// its path that matches), in that folder, with paths relative to it. Folders whose run would
/// be skipped (no file matches `glob`) are left out; with none left, the job is skipped.
pub fn plan_runs(job: &JobConfig, files: &[PathBuf], args: &[String]) -> Vec<Plan> {
    plan_runs_with(job, Inputs { files, graph: None }, args)
}

/// [`plan_runs`] with the import graph's inputs.
pub fn plan_runs_with(job: &JobConfig, inputs: Inputs, args: &[String]) -> Vec<Plan> {
    let files = inputs.files;
    let Some((raw, glob)) = job.root.as_ref().and_then(|r| Some((r.as_str(), r.glob()?))) else {
        return vec![plan_with(job, inputs, args)];
    };
    let mut dirs: std::collections::BTreeSet<&Path> = std::collections::BTreeSet::new();
    let affected = inputs.graph.map_or(&[][..], |g| g.affected.as_slice());
    for f in files.iter().chain(affected) {
        let mut ancestors: Vec<&Path> = f
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .collect();
        ancestors.reverse();
        if let Some(dir) = ancestors.into_iter().find(|a| glob.is_match(a)) {
            dirs.insert(dir);
        }
    }
    let mut plans = Vec::new();
    for dir in dirs {
        let mut one = job.clone();
        one.root = Some(JobRoot::literal(dir));
        let p = plan_with(&one, inputs, args);
        if matches!(p, Plan::Run { .. }) {
            plans.push(p);
        }
    }
    if plans.is_empty() {
        plans.push(Plan::Skip(format!("no matching files under `root = \"{raw}\"`")));
    }
    plans
}

/// The files a job gets: those under its root (made relative to it) that match `glob` and not
/// `exclude`.
pub fn select(job: &JobConfig, files: &[PathBuf]) -> Vec<PathBuf> {
    let root = job_root(job);
    let glob = job.glob.as_ref();
    let exclude = job.exclude.as_ref();
    files
        .iter()
        .filter_map(|f| f.strip_prefix(&root).ok())
        .filter(|f| !f.as_os_str().is_empty())
        .filter(|f| glob.is_none_or(|g| g.is_match(f)))
        .filter(|f| exclude.is_none_or(|x| !x.is_match(f)))
        .map(Path::to_path_buf)
        .collect()
}

/// Whether a job's command uses the import graph (`{affected}`, `{packages}`).
pub fn uses_graph(job: &JobConfig) -> bool {
    parse_template(&job.run)
        .iter()
        .any(|p| matches!(p, Piece::Affected | Piece::Packages))
}

/// What a job's placeholders draw from, all repo-relative.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// The hook's files (`{files}`).
    pub files: &'a [PathBuf],
    /// `{affected}`, when some job uses the graph.
    pub graph: Option<&'a crate::graph::Graph>,
}

/// Plan one job against the snapshot's candidate files and the hook's arguments.
pub fn plan(job: &JobConfig, files: &[PathBuf], args: &[String]) -> Plan {
    plan_with(job, Inputs { files, graph: None }, args)
}

/// Plan one job: `{files}` and `{affected}` are filtered by `root`, `glob` and `exclude`
/// alike; `{packages}` names the packages holding either.
pub fn plan_with(job: &JobConfig, inputs: Inputs, args: &[String]) -> Plan {
    let dir = job_root(job);
    let selected = select(job, inputs.files);
    let pieces = parse_template(&job.run);
    let wants = |p: Piece| pieces.contains(&p);
    let affected = match (inputs.graph, wants(Piece::Affected) || wants(Piece::Packages)) {
        (Some(g), true) => select(job, &g.affected),
        _ => Vec::new(),
    };
    if wants(Piece::Affected) && affected.is_empty() {
        return Plan::Skip("no affected files".into());
    }
    if (wants(Piece::Files) || job.glob.is_some() && !wants(Piece::Affected)) && selected.is_empty() {
        return Plan::Skip("no matching files".into());
    }
    let packages = match inputs.graph.filter(|_| wants(Piece::Packages)) {
        Some(g) => {
            let all: Vec<PathBuf> = selected.iter().chain(&affected).map(|f| dir.join(f)).collect();
            g.package_names(&all)
        }
        None => Vec::new(),
    };
    if wants(Piece::Packages) && packages.is_empty() {
        return Plan::Skip("no workspace package holds its files".into());
    }
    let lists = Lists {
        files: &selected,
        affected: &affected,
        packages: &packages,
    };
    let commands = expand_lists(&pieces, args, &lists, MAX_COMMAND_BYTES);
    let files = selected
        .iter()
        .chain(&affected)
        .map(|f| dir.join(f))
        .collect::<std::collections::BTreeSet<_>>();
    Plan::Run {
        dir,
        commands,
        files: files.into_iter().collect(),
    }
}

/// The lists a template's placeholders expand to.
#[derive(Debug, Clone, Copy)]
pub struct Lists<'a> {
    pub files: &'a [PathBuf],
    pub affected: &'a [PathBuf],
    pub packages: &'a [String],
}

/// One part of a `run` template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// `{files}`
    Files,
    /// `{affected}`: the staged files plus their importers, transitively ([`super::graph`]).
    Affected,
    /// `{packages}`: names of the workspace packages holding the job's files.
    Packages,
    /// `{1}`..`{9}`, zero-based: the hook's arguments (e.g. the message file for `commit-msg`).
    Arg(usize),
}

/// Split a template into text and placeholders once. Expansion then only ever copies pieces,
/// so an argument or a file name that contains `{files}` or `{1}` is never expanded again (a
/// remote named `x{files}` must not splice the unquoted file list into the command).
pub fn parse_template(run: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = run.as_bytes();
    while i < bytes.len() {
        // Bytes, not `&run[i..]`: `i` steps through multi-byte characters (a template with `é`
        // panicked here; found by fuzz/run.sh). Placeholders start with the ASCII `{`, so the
        // text slices below always fall on character boundaries.
        let rest = &bytes[i..];
        let found = if rest.starts_with(b"{files}") {
            Some((Piece::Files, "{files}".len()))
        } else if rest.starts_with(b"{changed_files}") {
            // The same list under the name ref-range hooks document: there, the hook's files
            // are those changed between the two refs.
            Some((Piece::Files, "{changed_files}".len()))
        } else if rest.starts_with(b"{affected}") {
            Some((Piece::Affected, "{affected}".len()))
        } else if rest.starts_with(b"{packages}") {
            Some((Piece::Packages, "{packages}".len()))
        } else if let [b'{', d @ b'1'..=b'9', b'}', ..] = rest {
            Some((Piece::Arg(usize::from(d - b'1')), 3))
        } else {
            None
        };
        match found {
            Some((piece, len)) => {
                if text_start < i {
                    pieces.push(Piece::Text(&run[text_start..i]));
                }
                pieces.push(piece);
                i += len;
                text_start = i;
            }
            None => i += 1,
        }
    }
    if text_start < run.len() {
        pieces.push(Piece::Text(&run[text_start..]));
    }
    pieces
}

/// The command lines for a parsed template: arguments shell-quoted (a missing one is `''`),
/// and every `{files}` replaced by the quoted file list, one command per chunk of files so
/// that no command exceeds `limit` bytes (a chunk always has at least one file).
pub fn expand(pieces: &[Piece], args: &[String], files: &[PathBuf], limit: usize) -> Vec<OsString> {
    let lists = Lists {
        files,
        affected: &[],
        packages: &[],
    };
    expand_lists(pieces, args, &lists, limit)
}

/// [`expand`] with every list: the chunked list is `{files}` when the template has it, else
/// `{affected}`; the other lists are inserted whole.
pub fn expand_lists(pieces: &[Piece], args: &[String], lists: &Lists, limit: usize) -> Vec<OsString> {
    let quoted_args: Vec<Vec<u8>> = (0..9)
        .map(|i| quote(args.get(i).map_or(&b""[..], |a| a.as_bytes())))
        .collect();
    let chunked = if pieces.contains(&Piece::Files) || !pieces.contains(&Piece::Affected) {
        Piece::Files
    } else {
        Piece::Affected
    };
    let whole = |p: &Piece| -> Vec<u8> {
        match p {
            Piece::Files => file_chunks(lists.files, usize::MAX).concat(),
            Piece::Affected => file_chunks(lists.affected, usize::MAX).concat(),
            Piece::Packages => {
                let quoted: Vec<Vec<u8>> = lists.packages.iter().map(|n| quote(n.as_bytes())).collect();
                quoted.join(&b' ')
            }
            _ => Vec::new(),
        }
    };
    let mut fixed_lists: Vec<(Piece, Vec<u8>)> = Vec::new();
    for p in [Piece::Files, Piece::Affected, Piece::Packages] {
        if p != chunked && pieces.contains(&p) {
            fixed_lists.push((p, whole(&p)));
        }
    }
    let fixed_of = |p: &Piece| fixed_lists.iter().find(|(q, _)| q == p).map(|(_, v)| v);
    let slots = pieces.iter().filter(|p| **p == chunked).count();
    let fixed: usize = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.len(),
            Piece::Arg(i) => quoted_args[*i].len(),
            other => fixed_of(other).map_or(0, Vec::len),
        })
        .sum();
    let chunk_source = if chunked == Piece::Files {
        lists.files
    } else {
        lists.affected
    };
    let chunks = match limit.saturating_sub(fixed).checked_div(slots) {
        Some(budget) => file_chunks(chunk_source, budget),
        None => vec![Vec::new()],
    };
    chunks
        .into_iter()
        .map(|list| {
            let mut cmd = Vec::with_capacity(fixed + slots * list.len());
            for piece in pieces {
                match piece {
                    Piece::Text(t) => cmd.extend_from_slice(t.as_bytes()),
                    Piece::Arg(i) => cmd.extend_from_slice(&quoted_args[*i]),
                    p if *p == chunked => cmd.extend_from_slice(&list),
                    other => cmd.extend_from_slice(fixed_of(other).map_or(&[][..], Vec::as_slice)),
                }
            }
            OsString::from_vec(cmd)
        })
        .collect()
}

/// The quoted, space-separated file list split into chunks of at most `budget` bytes (or one
/// file, when a single name is longer).
fn file_chunks(files: &[PathBuf], budget: usize) -> Vec<Vec<u8>> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for f in files {
        let mut q = f.as_os_str().as_bytes().to_vec();
        if q.starts_with(b"-") {
            // A file named `-rf` must not become an option of the tool.
            q.splice(0..0, *b"./");
        }
        let q = quote(&q);
        if !current.is_empty() && current.len() + 1 + q.len() > budget {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(b' ');
        }
        current.extend_from_slice(&q);
    }
    chunks.push(current);
    chunks
}

/// POSIX shell quoting: bare when only safe characters, else single quotes with `'\''`.
pub fn quote(s: &[u8]) -> Vec<u8> {
    let safe = |b: &u8| b.is_ascii_alphanumeric() || b"_-./@%+=:,".contains(b);
    if !s.is_empty() && s.iter().all(safe) {
        return s.to_vec();
    }
    let mut out = vec![b'\''];
    for &b in s {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Patterns;
    use std::fmt::Write as _;

    #[test]
    fn templates_with_multi_byte_characters_parse() {
        // Found by fuzz/run.sh: stepping byte by byte sliced `&run[i..]` inside `é`.
        let pieces = parse_template("echo 'déploiement → {1}' {files} ✓");
        assert_eq!(
            pieces,
            vec![
                Piece::Text("echo 'déploiement → "),
                Piece::Arg(0),
                Piece::Text("' "),
                Piece::Files,
                Piece::Text(" ✓"),
            ]
        );
    }

    fn job(run: &str, glob: Option<&str>, exclude: Option<&str>, root: Option<&str>) -> JobConfig {
        JobConfig {
            name: "j".into(),
            run: run.into(),
            enabled: None,
            glob: glob.map(|g| Patterns::One(g.into()).try_into().unwrap()),
            exclude: exclude.map(|g| Patterns::One(g.into()).try_into().unwrap()),
            root: root.map(|r| JobRoot::try_from(r.to_string()).unwrap()),
            env: Default::default(),
            timeout: None,
            clean: false,
            link: None,
            fail_text: None,
            stage_fixed: false,
            interactive: false,
            skip: None,
            only: None,
            group: None,
            priority: None,
        }
    }

    fn paths(v: &[&str]) -> Vec<PathBuf> {
        v.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn glob_without_slash_matches_names_anywhere() {
        let files = paths(&["a.ts", "src/b.tsx", "src/c.js", "src/deep/d.ts", "e.d.ts"]);
        let got = select(&job("x", Some("*.{ts,tsx}"), Some("*.d.ts"), None), &files);
        assert_eq!(got, paths(&["a.ts", "src/b.tsx", "src/deep/d.ts"]));
    }

    #[test]
    fn glob_with_slash_matches_paths() {
        let files = paths(&["a.ts", "src/b.ts", "src/deep/d.ts", "lib/src/x.ts"]);
        assert_eq!(
            select(&job("x", Some("src/*.ts"), None, None), &files),
            paths(&["src/b.ts"])
        );
        assert_eq!(
            select(&job("x", Some("src/**/*.ts"), None, None), &files),
            paths(&["src/b.ts", "src/deep/d.ts"])
        );
        assert_eq!(
            select(&job("x", Some("**/*.ts"), Some("src/**"), None), &files),
            paths(&["a.ts", "lib/src/x.ts"])
        );
    }

    #[test]
    fn root_limits_and_relativises() {
        let files = paths(&["a.ts", "packages/web/src/b.ts", "packages/webby/c.ts"]);
        let j = job("tsc {files}", Some("src/*.ts"), None, Some("packages/web/"));
        assert_eq!(
            plan(&j, &files, &[]),
            Plan::Run {
                dir: "packages/web".into(),
                commands: vec!["tsc src/b.ts".into()],
                files: paths(&["packages/web/src/b.ts"]),
            }
        );
        for outside in ["../up", "/abs"] {
            assert!(JobRoot::try_from(outside.to_string()).is_err(), "{outside}");
        }
    }

    #[test]
    fn glob_root_runs_once_per_folder_with_matching_files() {
        let files = paths(&[
            "apps/web/src/a.ts",
            "apps/web/b.ts",
            "apps/docs/README.md",
            "apps/api/c.ts",
            "x.ts",
        ]);
        let plans = plan_runs(
            &job("lint {files}", Some("*.ts"), None, Some("apps/*")),
            &files,
            &[],
        );
        assert_eq!(
            plans,
            vec![
                Plan::Run {
                    dir: "apps/api".into(),
                    commands: vec!["lint c.ts".into()],
                    files: paths(&["apps/api/c.ts"]),
                },
                Plan::Run {
                    dir: "apps/web".into(),
                    commands: vec!["lint src/a.ts b.ts".into()],
                    files: paths(&["apps/web/b.ts", "apps/web/src/a.ts"]),
                },
            ]
        );
        let deep = plan_runs(
            &job("t", None, None, Some("packages/**")),
            &paths(&["packages/a/src/x.ts"]),
            &[],
        );
        assert!(matches!(&deep[..], [Plan::Run { dir, .. }] if dir == Path::new("packages/a")));
        assert!(matches!(
            &plan_runs(&job("t", Some("*.ts"), None, Some("libs/*")), &files, &[])[..],
            [Plan::Skip(_)]
        ));
        for bad in ["../*", "apps/[z-a]", "apps/{a"] {
            assert!(JobRoot::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn skips_without_files_only_when_files_matter() {
        let files = paths(&["README.md"]);
        let skip = Plan::Skip("no matching files".into());
        assert_eq!(
            plan(&job("lint {files}", None, Some("*.md"), None), &files, &[]),
            skip
        );
        assert_eq!(plan(&job("lint", Some("*.ts"), None, None), &files, &[]), skip);
        assert!(matches!(
            plan(&job("build", None, None, None), &[], &[]),
            Plan::Run { .. }
        ));
    }

    #[test]
    fn quotes_and_guards_dashes() {
        assert_eq!(quote(b"src/a.ts"), b"src/a.ts");
        assert_eq!(quote(b"my file.ts"), b"'my file.ts'");
        assert_eq!(quote(b"it's"), b"'it'\\''s'");
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote("é.ts".as_bytes()), "'é.ts'".as_bytes());
        let cmds = expand(&parse_template("x {files}"), &[], &paths(&["-rf", "a b"]), 1000);
        assert_eq!(cmds, vec![OsString::from("x ./-rf 'a b'")]);
    }

    #[test]
    fn chunks_long_lists() {
        let files: Vec<PathBuf> = (0..100).map(|i| PathBuf::from(format!("f{i:03}.ts"))).collect();
        let cmds = expand(&parse_template("a {files} b {files}"), &[], &files, 200);
        assert!(cmds.len() > 1);
        let mut seen = Vec::new();
        for c in &cmds {
            let c = c.to_str().unwrap();
            assert!(c.len() <= 200, "{c}");
            let (first, second) = c.strip_prefix("a ").unwrap().split_once(" b ").unwrap();
            assert_eq!(first, second);
            seen.extend(first.split(' ').map(String::from));
        }
        let want: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn positional_args() {
        let cmds = expand(&parse_template("lint {1} {2}"), &["a b".into()], &[], 1000);
        assert_eq!(cmds, vec![OsString::from("lint 'a b' ''")]);
    }

    /// One token of a generated template, with the argv words it must produce.
    #[derive(Debug, Clone)]
    enum Tok {
        Word(String),
        Files,
        Arg(usize),
    }

    fn tok() -> impl proptest::strategy::Strategy<Value = Tok> {
        use proptest::prelude::*;
        prop_oneof![
            // Literal words, including brace text that looks almost like a placeholder.
            prop_oneof![
                "[a-z0-9_.]{1,6}",
                Just("{".to_string()),
                Just("{0}".to_string()),
                Just("{file}".to_string()),
                Just("{10}".to_string()),
                Just("x{y}".to_string()),
            ]
            .prop_map(Tok::Word),
            Just(Tok::Files),
            (0usize..4).prop_map(Tok::Arg),
        ]
    }

    /// Text made to break quoting: placeholders, quotes, substitutions, blanks, non-ASCII.
    fn nasty(min: usize) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let part = prop_oneof![
            Just("{files}"),
            Just("{1}"),
            Just("{2}"),
            Just("'"),
            Just("\\"),
            Just("\""),
            Just("$(touch PWNED)"),
            Just("`id`"),
            Just(" "),
            Just("\n"),
            Just("-"),
            Just("*"),
            Just("a"),
            Just("é"),
            Just("}"),
            Just("{"),
        ];
        proptest::collection::vec(part, min..6).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Whatever the template, arguments and file names, `sh -c` of the expanded command
        /// receives exactly the intended argv: text words as written, each argument as one word,
        /// each file as one word.
        #[test]
        fn job_argv_is_exactly_the_intended_one(
            toks in proptest::collection::vec(tok(), 0..8),
            args in proptest::collection::vec(nasty(0), 0..4),
            files in proptest::collection::vec(nasty(1), 1..5),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut template = String::from("printf '%s\\0' START");
            let mut want: Vec<Vec<u8>> = Vec::new();
            for t in &toks {
                template.push(' ');
                match t {
                    Tok::Word(w) => {
                        template.push_str(w);
                        want.push(w.as_bytes().to_vec());
                    }
                    Tok::Files => {
                        template.push_str("{files}");
                        for f in &files {
                            let guarded = if f.starts_with('-') { format!("./{f}") } else { f.clone() };
                            want.push(guarded.into_bytes());
                        }
                    }
                    Tok::Arg(i) => {
                        let _ = write!(template, "{{{}}}", i + 1);
                        want.push(args.get(*i).cloned().unwrap_or_default().into_bytes());
                    }
                }
            }
            let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
            let cmds = expand(&parse_template(&template), &args, &files, MAX_COMMAND_BYTES);
            proptest::prop_assert_eq!(cmds.len(), 1);
            let out = crate::platform::shell(&cmds[0])
                .current_dir(dir.path())
                .output()
                .unwrap();
            proptest::prop_assert!(out.status.success(), "{:?}", out);
            let mut got: Vec<Vec<u8>> = out.stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
            proptest::prop_assert_eq!(got.pop(), Some(Vec::new()));
            proptest::prop_assert_eq!(got.first().map(Vec::as_slice), Some(&b"START"[..]));
            proptest::prop_assert_eq!(&got[1..], &want[..], "command: {:?}", cmds[0]);
            proptest::prop_assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "a name ran as a command");
        }
    }
}
