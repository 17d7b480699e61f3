//! What a job runs: its files (`glob`/`exclude`/`root` filtering) and its command lines
//! (`{files}` and `{1}`..`{9}` expanded, shell-quoted, split into chunks that fit one
//! `sh -c` argument).

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::config::{JobConfig, Patterns};

/// Linux refuses a single argument longer than 128 KiB (`MAX_ARG_STRLEN`), and `sh -c` gets
/// the whole command as one argument, so each expanded command stays below this.
pub const MAX_COMMAND_BYTES: usize = 100_000;

/// `glob`/`exclude` patterns. A pattern without `/` matches the file name in any folder (as
/// lint-staged does); one with `/` matches the path relative to the job's root; `**` crosses
/// folders and `{a,b}` alternates.
#[derive(Debug)]
pub struct Matcher {
    names: GlobSet,
    paths: GlobSet,
}

impl Matcher {
    pub fn new(patterns: &Patterns) -> Result<Matcher, String> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for raw in patterns.list() {
            let p = raw.strip_prefix("./").unwrap_or(&raw);
            let (anchored, p) = match p.strip_prefix('/') {
                Some(rest) => (true, rest),
                None => (false, p),
            };
            let glob = GlobBuilder::new(p)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("invalid glob `{raw}`: {}", e.kind()))?;
            if anchored || p.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| e.to_string());
        Ok(Matcher {
            names: build(names)?,
            paths: build(paths)?,
        })
    }

    pub fn is_match(&self, rel: &Path) -> bool {
        self.paths.is_match(rel) || rel.file_name().is_some_and(|n| self.names.is_match(Path::new(n)))
    }
}

/// What to do with one job.
#[derive(Debug, PartialEq)]
pub enum Plan {
    Skip(String),
    /// Run these commands one after another in `dir` (relative to the checkout's root).
    Run {
        dir: PathBuf,
        commands: Vec<OsString>,
    },
}

/// A job's `root`, checked: relative, inside the repository, `/`-separated, no trailing `/`.
pub fn job_root(job: &JobConfig) -> Result<PathBuf, String> {
    let Some(raw) = job.root.as_deref() else {
        return Ok(PathBuf::new());
    };
    let trimmed = raw.trim_start_matches("./").trim_end_matches('/');
    let path = Path::new(trimmed);
    let inside = path
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir));
    if path.is_absolute() || !inside {
        return Err(format!(
            "job `{}`: `root = \"{raw}\"` must be a folder inside the repository",
            job.name
        ));
    }
    Ok(path.to_path_buf())
}

/// The files a job gets: those under its root (made relative to it) that match `glob` and not
/// `exclude`.
pub fn select(job: &JobConfig, files: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let root = job_root(job)?;
    let glob = job.glob.as_ref().map(Matcher::new).transpose()?;
    let exclude = job.exclude.as_ref().map(Matcher::new).transpose()?;
    Ok(files
        .iter()
        .filter_map(|f| f.strip_prefix(&root).ok())
        .filter(|f| !f.as_os_str().is_empty())
        .filter(|f| glob.as_ref().is_none_or(|g| g.is_match(f)))
        .filter(|f| exclude.as_ref().is_none_or(|x| !x.is_match(f)))
        .map(Path::to_path_buf)
        .collect())
}

/// Plan one job against the snapshot's candidate files and the hook's arguments.
pub fn plan(job: &JobConfig, files: &[PathBuf], args: &[String]) -> Result<Plan, String> {
    let dir = job_root(job)?;
    let selected = select(job, files)?;
    let wants_files = job.run.contains("{files}");
    if (wants_files || job.glob.is_some()) && selected.is_empty() {
        return Ok(Plan::Skip("no matching files".into()));
    }
    let template = expand_args(&job.run, args);
    let commands = if wants_files {
        expand_files(&template, &selected, MAX_COMMAND_BYTES)
    } else {
        vec![OsString::from(template)]
    };
    Ok(Plan::Run { dir, commands })
}

/// `{1}`..`{9}`: the hook's arguments (e.g. the message file for `commit-msg`), shell-quoted.
fn expand_args(run: &str, args: &[String]) -> String {
    let mut out = run.to_string();
    for i in 1..=9 {
        let token = format!("{{{i}}}");
        if out.contains(&token) {
            let value = args.get(i - 1).map(String::as_str).unwrap_or("");
            let quoted = String::from_utf8_lossy(&quote(value.as_bytes())).into_owned();
            out = out.replace(&token, &quoted);
        }
    }
    out
}

/// Replace every `{files}` with the quoted file list, one command per chunk of files so that no
/// command exceeds `limit` bytes (a chunk always has at least one file).
pub fn expand_files(template: &str, files: &[PathBuf], limit: usize) -> Vec<OsString> {
    let parts: Vec<&str> = template.split("{files}").collect();
    let slots = parts.len() - 1;
    let fixed: usize = parts.iter().map(|p| p.len()).sum();
    let budget = limit.saturating_sub(fixed) / slots.max(1);
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
        .into_iter()
        .map(|list| {
            let mut cmd = Vec::with_capacity(fixed + slots * list.len());
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    cmd.extend_from_slice(&list);
                }
                cmd.extend_from_slice(part.as_bytes());
            }
            OsString::from_vec(cmd)
        })
        .collect()
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

    fn job(run: &str, glob: Option<&str>, exclude: Option<&str>, root: Option<&str>) -> JobConfig {
        JobConfig {
            name: "j".into(),
            run: run.into(),
            glob: glob.map(|g| Patterns::One(g.into())),
            exclude: exclude.map(|g| Patterns::One(g.into())),
            root: root.map(Into::into),
            env: Default::default(),
            timeout: None,
            clean: false,
            link: None,
            fail_text: None,
        }
    }

    fn paths(v: &[&str]) -> Vec<PathBuf> {
        v.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn glob_without_slash_matches_names_anywhere() {
        let files = paths(&["a.ts", "src/b.tsx", "src/c.js", "src/deep/d.ts", "e.d.ts"]);
        let got = select(&job("x", Some("*.{ts,tsx}"), Some("*.d.ts"), None), &files).unwrap();
        assert_eq!(got, paths(&["a.ts", "src/b.tsx", "src/deep/d.ts"]));
    }

    #[test]
    fn glob_with_slash_matches_paths() {
        let files = paths(&["a.ts", "src/b.ts", "src/deep/d.ts", "lib/src/x.ts"]);
        assert_eq!(
            select(&job("x", Some("src/*.ts"), None, None), &files).unwrap(),
            paths(&["src/b.ts"])
        );
        assert_eq!(
            select(&job("x", Some("src/**/*.ts"), None, None), &files).unwrap(),
            paths(&["src/b.ts", "src/deep/d.ts"])
        );
        assert_eq!(
            select(&job("x", Some("**/*.ts"), Some("src/**"), None), &files).unwrap(),
            paths(&["a.ts", "lib/src/x.ts"])
        );
    }

    #[test]
    fn root_limits_and_relativises() {
        let files = paths(&["a.ts", "packages/web/src/b.ts", "packages/webby/c.ts"]);
        let j = job("tsc {files}", Some("src/*.ts"), None, Some("packages/web/"));
        assert_eq!(
            plan(&j, &files, &[]).unwrap(),
            Plan::Run {
                dir: "packages/web".into(),
                commands: vec!["tsc src/b.ts".into()]
            }
        );
        assert!(job_root(&job("x", None, None, Some("../up"))).is_err());
        assert!(job_root(&job("x", None, None, Some("/abs"))).is_err());
    }

    #[test]
    fn skips_without_files_only_when_files_matter() {
        let files = paths(&["README.md"]);
        let skip = Plan::Skip("no matching files".into());
        assert_eq!(
            plan(&job("lint {files}", None, Some("*.md"), None), &files, &[]).unwrap(),
            skip
        );
        assert_eq!(
            plan(&job("lint", Some("*.ts"), None, None), &files, &[]).unwrap(),
            skip
        );
        assert!(matches!(
            plan(&job("build", None, None, None), &[], &[]).unwrap(),
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
        let cmds = expand_files("x {files}", &paths(&["-rf", "a b"]), 1000);
        assert_eq!(cmds, vec![OsString::from("x ./-rf 'a b'")]);
    }

    #[test]
    fn chunks_long_lists() {
        let files: Vec<PathBuf> = (0..100).map(|i| PathBuf::from(format!("f{i:03}.ts"))).collect();
        let cmds = expand_files("a {files} b {files}", &files, 200);
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
        assert_eq!(expand_args("lint {1} {2}", &["a b".into()]), "lint 'a b' ''");
    }
}
