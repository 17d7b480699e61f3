//! `hookctl env check` and `hookctl env diff`: a concrete environment (dotenv files, a JSON
//! export, this process) against the declared names and their value rules. Values are read,
//! compared and dropped; no output path ever formats one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::{EnvCheckArgs, EnvCommand, EnvDiffArgs, EnvPackageArgs, Format};
use crate::config::Config;
use crate::diagnostic::{self, Finding, Severity};
use crate::env::{self, Declarations, Entry, json};
use crate::report::{self, NoSources, Options, Summary};
use crate::rules::{self, Rule};
use crate::{Ctx, Exit};

pub fn run(ctx: &Ctx, cmd: &EnvCommand) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let root = repo_root(&ctx.cwd);
    let which = match cmd {
        EnvCommand::Check(args) => &args.package,
        EnvCommand::Diff(args) => &args.package,
    };
    let folder = package_folder(ctx, &root, which)?;
    // Nearest wins: a package's `[env]` merged over the root's, as its code is checked with.
    let config = Config::load_for(&root, ctx.config.as_deref(), folder.as_deref())?;
    let at = Judged {
        root: &root,
        folder: folder.as_deref().unwrap_or(""),
        config: &config,
    };
    let mut out = Findings::new(&config);
    let (format, checked) = match cmd {
        EnvCommand::Check(args) => (args.format, check(ctx, &at, args, &mut out)?),
        EnvCommand::Diff(args) => (args.format, diff(ctx, &at, args, &mut out)?),
    };
    let mut findings = out.list;
    diagnostic::sort(&mut findings);
    // A package's unreadable declaration file is read both as its declarations and among the
    // repository's (`env diff`): one finding.
    findings.dedup();
    let summary = Summary::new(checked, &findings, started.elapsed());
    let opts = Options {
        format,
        color: crate::output::stdout_color() && format == Format::Human,
        quiet: ctx.quiet,
        unit: "variable",
        ..Options::default()
    };
    let exit = if findings.iter().any(|f| f.severity == Severity::Error) {
        Exit::Failure
    } else {
        Exit::Success
    };
    // `hookctl env check | head`: the reader has seen enough; the exit code still counts.
    crate::output::set_exit(exit);
    crate::output::with_stdout(|out| report::print(out, &opts, &findings, &summary, &NoSources));
    Ok(exit)
}

/// The work tree's root, or `cwd` where there is none (a container with no `.git`, a bare
/// repository).
fn repo_root(cwd: &Path) -> PathBuf {
    crate::git::discover()
        .ok()
        .filter(|(repo, _)| !repo.is_bare())
        .map_or_else(|| cwd.to_path_buf(), |(_, paths)| paths.root)
}

/// `--package P` / `--here`: the package's folder, repo-relative (`None`: the root's).
fn package_folder(ctx: &Ctx, root: &Path, args: &EnvPackageArgs) -> anyhow::Result<Option<String>> {
    let found = if let Some(spec) = &args.package {
        crate::config::nested::find(root, spec)
    } else if args.here {
        crate::config::nested::containing(root, &ctx.cwd)
    } else {
        return Ok(None);
    };
    Ok(Some(found.map_err(anyhow::Error::msg)?.folder))
}

/// What the names and values are judged by: the repository, the package folder (`""`: the
/// root) and its configuration.
struct Judged<'a> {
    root: &'a Path,
    folder: &'a str,
    config: &'a Config,
}

/// Findings at their configured level; rules set to `off` are dropped.
struct Findings<'a> {
    config: &'a Config,
    list: Vec<Finding>,
}

impl<'a> Findings<'a> {
    fn new(config: &'a Config) -> Self {
        Findings {
            config,
            list: Vec::new(),
        }
    }

    fn push(&mut self, rule: &Rule, mut f: Finding) {
        if let Some(severity) = self.config.level(rule).severity() {
            f.severity = severity;
            self.list.push(f);
        }
    }
}

/// A value and where it came from.
struct Sourced {
    value: String,
    path: String,
    line: u32,
    column: u32,
    /// From a file (validated even when undeclared), not the process.
    from_file: bool,
}

/// The declaration files a read in the judged folder is declared by, read from the work
/// tree (the nearest folder at or above it that has some, then the root's, as the checks
/// judge a read), and every `[env.vars]` name of its configuration: name -> (path, line) of
/// its declaration, the nearest first.
fn declared(at: &Judged, out: &mut Findings) -> BTreeMap<String, (String, u32)> {
    let read_folder = |folder: &str| -> Vec<(String, Vec<u8>)> {
        let dir = at.root.join(folder);
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                (env::is_declaration_file(&name) && e.path().is_file()).then_some(name)
            })
            .filter_map(|name| {
                let bytes = std::fs::read(dir.join(&name)).ok()?;
                let shown = if folder.is_empty() {
                    name
                } else {
                    format!("{folder}/{name}")
                };
                Some((shown, bytes))
            })
            .collect();
        files.sort();
        files
    };
    // The judged folder, then its parents below the root: the first that has declaration files.
    let nearest = std::iter::successors(Some(at.folder), |f| f.rsplit_once('/').map(|(p, _)| p))
        .filter(|f| !f.is_empty())
        .map(read_folder)
        .find(|files| !files.is_empty())
        .unwrap_or_default();
    let mut declared: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for files in [nearest, read_folder("")] {
        let decls = Declarations::new(
            files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
            &Default::default(),
        );
        for f in decls.errors() {
            out.push(&rules::FILES_UNREADABLE, f.clone());
        }
        for file in decls.files() {
            for (name, &line) in &file.names {
                declared
                    .entry(name.clone())
                    .or_insert_with(|| (file.path.clone(), line));
            }
        }
    }
    for name in at.config.env.vars.keys() {
        declared
            .entry(name.clone())
            .or_insert_with(|| (config_file(at, name), 0));
    }
    declared
}

/// The `hookctl.toml` that sets `[env.vars.<name>]` for the judged folder: the package's own
/// when it sets it, else the root's.
fn config_file(at: &Judged, name: &str) -> String {
    let own = Path::new(at.folder).join(crate::config::FILE_NAME);
    let sets = !at.folder.is_empty()
        && std::fs::read_to_string(at.root.join(&own))
            .ok()
            .and_then(|text| crate::config::parse(&own, &text).ok())
            .is_some_and(|c| c.env.vars.contains_key(name));
    if sets {
        return display_path(&own);
    }
    at.config
        .path
        .as_deref()
        .and_then(|p| p.strip_prefix(at.root).ok().map(display_path))
        .unwrap_or_else(|| crate::config::FILE_NAME.to_string())
}

fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Read a file named on the command line; a missing or unreadable one is a usage error.
fn read_arg_file(ctx: &Ctx, flag: &str, path: &Path) -> anyhow::Result<Vec<u8>> {
    let full = ctx.cwd.join(path);
    if full.is_dir() {
        return Err(anyhow::anyhow!("{flag} {}: is a directory", path.display()));
    }
    std::fs::read(&full).map_err(|e| anyhow::anyhow!("{flag} {}: cannot read it: {e}", path.display()))
}

/// Parse a dotenv file given on the command line. Unparsable lines or a non-text file become
/// `files/unreadable` findings; what could be read is returned.
fn dotenv_entries(shown: &str, bytes: &[u8], out: &mut Findings) -> Vec<Entry> {
    match env::dotenv::parse(bytes) {
        Ok(parsed) => {
            for e in &parsed.errors {
                out.push(
                    &rules::FILES_UNREADABLE,
                    Finding::new(
                        &rules::FILES_UNREADABLE,
                        shown,
                        format!("`{shown}` cannot be parsed: {}", e.message),
                    )
                    .at(e.line, e.column)
                    .help("fix this line; the rest of the file was read"),
                );
            }
            parsed.entries
        }
        Err(e) => {
            let (line, column) = e.line_col();
            out.push(
                &rules::FILES_UNREADABLE,
                Finding::new(&rules::FILES_UNREADABLE, shown, format!("`{shown}` {e}")).at(line, column),
            );
            Vec::new()
        }
    }
}

/// A JSON object file given on the command line; anything but an object of strings is a usage
/// error.
fn json_entries(flag: &str, path: &Path, bytes: &[u8]) -> anyhow::Result<Vec<Entry>> {
    json::parse_object(bytes).map_err(|e| anyhow::anyhow!("{flag} {}: {e}", path.display()))
}

/// The values to check, by name, each with where it came from.
type Values = BTreeMap<String, Sourced>;

fn check(ctx: &Ctx, at: &Judged, args: &EnvCheckArgs, out: &mut Findings) -> anyhow::Result<usize> {
    if args.env_files.is_empty() && args.json_files.is_empty() && !args.process {
        return Err(anyhow::anyhow!(
            "nothing to check: give `--env-file F`, `--json-file F` or `--process`".to_string(),
        ));
    }
    let (values, sources) = collect_values(ctx, args, out)?;
    let declared = declared(at, out);
    let missing = check_missing(at.config, args, &declared, &values, &sources, out);
    let invalid = check_values(at.config, args, &declared, &values, out);
    Ok(missing + invalid)
}

/// Every value the arguments give, and the sources named for the message.
fn collect_values(ctx: &Ctx, args: &EnvCheckArgs, out: &mut Findings) -> anyhow::Result<(Values, String)> {
    // Later sources win: the dotenv files in order, then the JSON files, then the process
    // (as dotenv loaders never override a variable the process already has).
    let mut values: Values = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    for path in &args.env_files {
        let bytes = read_arg_file(ctx, "--env-file", path)?;
        let shown = display_path(path);
        for e in dotenv_entries(&shown, &bytes, out) {
            values.insert(e.name, sourced(e.value, &shown, e.line, e.column, true));
        }
        sources.push(shown);
    }
    for path in &args.json_files {
        let bytes = read_arg_file(ctx, "--json-file", path)?;
        let shown = display_path(path);
        for e in json_entries("--json-file", path, &bytes)? {
            values.insert(e.name, sourced(e.value, &shown, e.line, e.column, true));
        }
        sources.push(shown);
    }
    if args.process {
        for (name, value) in crate::env_vars::all() {
            if let (Ok(name), Ok(value)) = (name.into_string(), value.into_string()) {
                values.insert(name, sourced(value, "<process>", 0, 0, false));
            }
        }
        sources.push("the process environment".to_string());
    }
    let sources = sources
        .iter()
        .map(|s| {
            if s.starts_with("the ") {
                s.clone()
            } else {
                format!("`{s}`")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");

    Ok((values, sources))
}

/// `env/missing`: each declared, required name no source gives. Returns how many were checked.
fn check_missing(
    config: &Config,
    args: &EnvCheckArgs,
    declared: &BTreeMap<String, (String, u32)>,
    values: &Values,
    sources: &str,
    out: &mut Findings,
) -> usize {
    let environment = args.environment.as_deref();
    let mut checked = 0;
    for (name, (decl_path, decl_line)) in declared {
        let rule = env::effective_rule(name, &config.env);
        let optional = env::is_optional(&rule, environment);
        match values.get(name) {
            Some(v) if !(optional && v.value.is_empty()) => {}
            Some(_) => continue,
            None if optional => continue,
            None => {
                checked += 1;
                let mut f = Finding::new(
                    &rules::ENV_MISSING,
                    decl_path.as_str(),
                    format!("`{name}` is declared but missing from {sources}"),
                )
                .name(name.as_str())
                .help(format!(
                    "set `{name}`, or mark it `optional = true` under `[env.vars.{name}]` in hookctl.toml"
                ));
                if *decl_line > 0 {
                    f = f.at(*decl_line, 1);
                }
                out.push(&rules::ENV_MISSING, f);
            }
        }
    }
    checked
}

/// `env/invalid`: each value that breaks its `[env.vars]` rule. Returns how many were checked.
fn check_values(
    config: &Config,
    args: &EnvCheckArgs,
    declared: &BTreeMap<String, (String, u32)>,
    values: &Values,
    out: &mut Findings,
) -> usize {
    let environment = args.environment.as_deref();
    let mut checked = 0;
    // Every declared value, and every value a file supplies (the process has too many
    // unrelated variables to judge the undeclared ones).
    for (name, v) in values {
        if !declared.contains_key(name) && !v.from_file {
            continue;
        }
        checked += 1;
        let rule = env::effective_rule(name, &config.env);
        if env::is_optional(&rule, environment) && v.value.is_empty() {
            continue;
        }
        for violation in env::validate(name, &v.value, &rule, environment) {
            let mut f = Finding::new(
                &rules::ENV_INVALID,
                v.path.as_str(),
                format!("`{name}` {} (rule `{}`)", violation.message, violation.rule),
            )
            .name(name.as_str())
            .at(v.line, v.column);
            if violation.rule == env::ValueRule::MinLength && name.ends_with("SECRET") {
                f = f.help("generate one with `openssl rand -base64 32`");
            }
            out.push(&rules::ENV_INVALID, f);
        }
    }
    checked
}

fn sourced(value: String, path: &str, line: u32, column: u32, from_file: bool) -> Sourced {
    Sourced {
        value,
        path: path.to_string(),
        line,
        column,
        from_file,
    }
}

/// Folders never searched for declaration files.
const SKIP_DIRS: &[&str] = &["node_modules", ".git"];

/// Every declaration file of the work tree (git-ignored folders skipped), for "declared
/// nowhere".
fn all_declarations(root: &Path, config: &Config, out: &mut Findings) -> Declarations {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = display_path(rel);
        if env::is_declaration_file(&rel)
            && let Ok(bytes) = std::fs::read(entry.path())
        {
            files.push((rel, bytes));
        }
    }
    files.sort();
    let decls = Declarations::new(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())), &config.env);
    // Root files' errors are reported once, by `declared`.
    for f in decls.errors().iter().filter(|f| f.path.contains('/')) {
        out.push(&rules::FILES_UNREADABLE, f.clone());
    }
    decls
}

fn diff(ctx: &Ctx, at: &Judged, args: &EnvDiffArgs, out: &mut Findings) -> anyhow::Result<usize> {
    let config = at.config;
    let bytes = read_arg_file(ctx, "--against", &args.against)?;
    let shown = display_path(&args.against);
    let entries = if json::looks_like_json(&bytes) {
        json_entries("--against", &args.against, &bytes)?
    } else {
        dotenv_entries(&shown, &bytes, out)
    };
    let present: BTreeMap<&str, &Entry> = entries.iter().map(|e| (e.name.as_str(), e)).collect();
    let declared = declared(at, out);
    let decls = all_declarations(at.root, config, out);
    for (name, (decl_path, decl_line)) in &declared {
        let rule = env::effective_rule(name, &config.env);
        if present.contains_key(name.as_str()) || env::is_optional(&rule, None) {
            continue;
        }
        let mut f = Finding::new(
            &rules::ENV_MISSING,
            decl_path.as_str(),
            format!("`{name}` is declared in `{decl_path}` but missing from `{shown}`"),
        )
        .name(name.as_str())
        .help(format!("add `{name}` to `{shown}`"));
        if *decl_line > 0 {
            f = f.at(*decl_line, 1);
        }
        out.push(&rules::ENV_MISSING, f);
    }
    for (name, e) in &present {
        if declared.contains_key(*name) || decls.is_declared_anywhere(name) {
            continue;
        }
        out.push(
            &rules::ENV_EXTRA,
            Finding::new(
                &rules::ENV_EXTRA,
                shown.as_str(),
                format!("`{name}` is set in `{shown}` but declared nowhere"),
            )
            .name(*name)
            .at(e.line, e.column)
            .help(format!(
                "declare it: add `{name}=` to `.env.example`, or list it in `[env] allow` in hookctl.toml"
            )),
        );
    }
    let mut names: Vec<&str> = declared.keys().map(String::as_str).collect();
    names.extend(present.keys());
    names.sort_unstable();
    names.dedup();
    Ok(names.len())
}
