//! `hookctl config show`: the configuration as hookctl merges it, each value followed by the
//! file and line it came from: the `extends` chain of `hookctl.toml` (bases first), then
//! `hookctl.local.toml`, then each workspace package's `hookctl.toml` (or, with `--package`,
//! the one configuration a run of that package uses). Printed to stdout (data that could be
//! piped); a broken chain is exit 2 with the error a hook would print.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::{ConfigCommand, ConfigShowArgs};
use crate::config::extends::Chain;
use crate::config::{self, FILE_NAME, LOCAL_FILE_NAME, nested};
use crate::{Ctx, Exit};

pub fn run(ctx: &Ctx, cmd: &ConfigCommand) -> anyhow::Result<Exit> {
    match cmd {
        ConfigCommand::Show(args) => show(ctx, args),
    }
}

fn read(path: &Path) -> Result<String, config::Error> {
    std::fs::read_to_string(path).map_err(|source| config::Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn show(ctx: &Ctx, args: &ConfigShowArgs) -> anyhow::Result<Exit> {
    let (_, paths) = crate::git::discover().map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let root = paths.root.clone();
    let main: Option<PathBuf> = match &ctx.config {
        Some(p) => Some(root.join(p)),
        None => Some(root.join(FILE_NAME)).filter(|p| p.is_file()),
    };
    let package = match &args.package {
        Some(spec) => Some(nested::find(&root, spec)?),
        None => None,
    };
    let mut layers = Vec::new();
    if let Some(path) = &main {
        layers.push((path.clone(), read(path)?, None));
    }
    if let Some(p) = &package {
        let file = root.join(&p.folder).join(FILE_NAME);
        if file.is_file() {
            let text = read(&file)?;
            nested::refuse_repository_wide(&file, &text)?;
            layers.push((file.clone(), text, Some(p.folder.clone())));
        }
    }
    let mut out = String::new();
    if layers.is_empty() {
        let _ = writeln!(out, "# no {FILE_NAME}: every setting is its default");
    } else {
        let chain = Chain::load_layers(layers, &root)?;
        let names: Vec<&str> = chain.sources.iter().map(|s| s.shown.as_str()).collect();
        match &package {
            Some(p) => {
                let _ = writeln!(
                    out,
                    "# the configuration of the files of package {}: the root's, then the package's (its jobs rooted in {}), later files winning; settings of the whole repository ([cache], [server], [commit]) stay the root's",
                    p.label(),
                    p.folder
                );
            }
            None => {
                let _ = writeln!(out, "# {FILE_NAME}");
            }
        }
        let _ = writeln!(out, "# merged from: {}\n", names.join(", "));
        section(&mut out, &chain.show()?);
    }
    let local = root.join(LOCAL_FILE_NAME);
    if local.is_file() {
        let _ = writeln!(
            out,
            "\n# {LOCAL_FILE_NAME}, applied on top: its lists are added to the ones above, its other values and its hook tables replace theirs\n"
        );
        section(&mut out, &Chain::load(&local, read(&local)?, &root)?.show()?);
    }
    if package.is_none() && ctx.config.is_none() {
        for p in nested::packages(&root) {
            let file = root.join(&p.folder).join(FILE_NAME);
            if !file.is_file() {
                continue;
            }
            let text = read(&file)?;
            nested::refuse_repository_wide(&file, &text)?;
            let _ = writeln!(
                out,
                "\n# package {}: its settings apply to the files under {} (nearest wins) and its jobs run on them, in every run; `hookctl config show --package {}` shows the merged result\n",
                p.label(),
                p.folder,
                p.name.as_deref().unwrap_or(&p.folder)
            );
            section(&mut out, &Chain::load(&file, text, &root)?.show()?);
        }
    }
    for line in out.trim_end().lines() {
        outln!("{line}");
    }
    Ok(Exit::Success)
}

fn section(out: &mut String, body: &str) {
    if body.trim().is_empty() {
        out.push_str("# (nothing set)\n");
    } else {
        out.push_str(body);
    }
}
