//! `hookctl init`: write a commented starter `hookctl.toml` from what the repository has
//! (package manager, tsconfig, eslint, workspaces, env files, build script).

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::InitArgs;
use crate::config::{self, FILE_NAME};
use crate::{Ctx, Exit, UsageError, snapshot};

/// What `init` found in the work tree.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Detected {
    pub package_manager: Option<&'static str>,
    pub tsconfig: bool,
    pub eslint: bool,
    pub prettier: bool,
    pub workspaces: bool,
    pub env_example: bool,
    pub env_local: bool,
    pub build_script: bool,
    pub test_script: bool,
    /// The `hookctl` npm package is a dependency (or installed): its schema copy is at
    /// [`NPM_SCHEMA`] after `npm install`.
    pub npm_package: bool,
}

/// Where the npm package's copy of `docs/hookctl.schema.json` lands, relative to the root.
pub const NPM_SCHEMA: &str = "./node_modules/hookctl/hookctl.schema.json";

pub fn run(ctx: &Ctx, args: &InitArgs) -> anyhow::Result<Exit> {
    let (_, paths) = snapshot::open()?;
    let target = paths.root.join(FILE_NAME);
    if target.exists() && !args.force {
        return Err(UsageError(format!(
            "{} already exists (use --force to overwrite it)",
            target.display()
        ))
        .into());
    }
    let detected = detect(&paths.root);
    let text = render(&detected);
    // Never write a file hookctl itself would reject.
    config::parse(&target, &text)
        .map_err(|e| anyhow::anyhow!("internal error: generated config is invalid: {}", e.chain()))?;
    // Written whole or not at all: a temporary file beside it, renamed into place.
    let dir = target.parent().unwrap_or(std::path::Path::new("."));
    // Mode 0666 before the umask, as `fs::write` would (tempfile's default is 0600).
    let mut tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    tmp.persist(&target).map_err(|e| e.error)?;
    let prepare = crate::prepare::ensure(&paths.root)?;
    if !ctx.quiet {
        errln!("hookctl: wrote {}", target.display());
        print_prepare(&prepare);
        errln!("  next: review it, then `hookctl install` to run it on every commit and push");
    }
    Ok(Exit::Success)
}

/// One line about the `prepare` script that installs the hooks on `npm install`.
fn print_prepare(prepare: &crate::prepare::Prepare) {
    use crate::prepare::{PREPARE, Prepare};
    match prepare {
        Prepare::Added => errln!(
            "hookctl: added `\"prepare\": \"{PREPARE}\"` to package.json: `npm install` installs the hooks"
        ),
        Prepare::Other(script) => errln!(
            "  note: package.json's `prepare` script is `{script}`: add `hookctl install` to it so `npm install` installs the hooks"
        ),
        Prepare::Unreadable => {
            errln!("  note: package.json could not be read; no `prepare` script added")
        }
        Prepare::Present | Prepare::NoPackageJson => {}
    }
}

pub fn detect(root: &Path) -> Detected {
    let has = |name: &str| root.join(name).exists();
    let package_manager = if has("pnpm-lock.yaml") || has("pnpm-workspace.yaml") {
        Some("pnpm")
    } else if has("yarn.lock") {
        Some("yarn")
    } else if has("bun.lockb") || has("bun.lock") {
        Some("bun")
    } else if has("package-lock.json") || has("package.json") {
        Some("npm")
    } else {
        None
    };
    let manifest: serde_json::Value = std::fs::read(root.join("package.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let script = |name: &str| manifest.pointer(&format!("/scripts/{name}")).is_some();
    let eslint = [
        "eslint.config.js",
        "eslint.config.mjs",
        "eslint.config.cjs",
        "eslint.config.ts",
        ".eslintrc",
        ".eslintrc.js",
        ".eslintrc.cjs",
        ".eslintrc.json",
        ".eslintrc.yml",
    ]
    .iter()
    .any(|f| has(f));
    let prettier = [
        ".prettierrc",
        ".prettierrc.json",
        ".prettierrc.js",
        "prettier.config.js",
        "prettier.config.mjs",
    ]
    .iter()
    .any(|f| has(f));
    let declares_hookctl = ["dependencies", "devDependencies"]
        .iter()
        .any(|k| manifest.get(k).and_then(|d| d.get("hookctl")).is_some());
    Detected {
        npm_package: has("package.json")
            && (declares_hookctl || has("node_modules/hookctl/hookctl.schema.json")),
        package_manager,
        tsconfig: has("tsconfig.json"),
        eslint,
        prettier,
        workspaces: manifest.get("workspaces").is_some() || has("pnpm-workspace.yaml"),
        env_example: has(".env.example") || has(".env.sample") || has(".env.template"),
        env_local: has(".env.local") || has(".env"),
        build_script: script("build"),
        test_script: script("test"),
    }
}

pub fn render(d: &Detected) -> String {
    let pm = d.package_manager.unwrap_or("npm");
    let exec = match pm {
        "pnpm" => "pnpm exec",
        "yarn" => "yarn",
        "bun" => "bunx",
        _ => "npx",
    };
    let run = |script: &str| match pm {
        "npm" => format!("npm run {script}"),
        other => format!("{other} run {script}"),
    };
    let mut t = String::new();
    if d.npm_package {
        // Taplo / Even Better TOML read the schema named on the first line.
        let _ = writeln!(t, "#:schema {NPM_SCHEMA}");
    }
    let _ = writeln!(
        t,
        "# hookctl configuration, written by `hookctl init`. Reference: README.md and SPEC.md."
    );
    let _ = writeln!(
        t,
        "# Detected: package manager {pm}{}{}{}{}.",
        flag(d.tsconfig, ", tsconfig.json"),
        flag(d.eslint, ", eslint"),
        flag(d.workspaces, ", workspaces"),
        flag(d.env_example, ", .env.example")
    );
    t.push('\n');
    t.push_str("# Rule levels: \"error\" blocks, \"warning\" reports, \"off\" silences.\n");
    t.push_str("[rules]\n");
    t.push_str("# \"env/unused\" = \"warning\"     # declared in .env.example but read nowhere\n");
    t.push_str("# \"env/dynamic\" = \"warning\"    # process.env[name] that cannot be checked\n\n");
    t.push_str("[imports]\n");
    t.push_str("# Generated folders (git-ignored by design) whose files are never \"untracked\".\n");
    t.push_str("# generated = [\"src/gql\"]\n");
    t.push_str("# Specifiers that are not files (regular expressions).\n");
    t.push_str("# not_files = [\"^~icons/\"]\n\n");
    t.push_str("[env]\n");
    if !d.env_example {
        let hint = if d.env_local {
            " (you have .env.local or .env: copy its names, not its values)"
        } else {
            ""
        };
        let _ = writeln!(
            t,
            "# No .env.example found: create one listing every variable the code reads{hint}."
        );
    }
    t.push_str("# Names that count as declared without being in .env.example.\n");
    t.push_str("allow = []\n");
    t.push_str("# Committed .env/.env.development/.env.production/.env.test and turbo.json env\n");
    t.push_str("# entries declare names too (both default true).\n");
    t.push_str("# committed_env_files_declare = true\n# turbo_declares = true\n");
    t.push_str("# Value rules for `hookctl env check` (e.g. at container start):\n");
    t.push_str("# [env.vars.STRIPE_SECRET_KEY]\n# starts_with = \"sk_test_\"\n");
    t.push_str("# [env.vars.STRIPE_SECRET_KEY.environments.production]\n# starts_with = \"sk_live_\"\n\n");
    t.push_str("[pre-commit]\n");
    t.push_str("checks = [\"imports\", \"files\", \"env\", \"secrets\"]\n");
    if d.eslint {
        let _ = writeln!(
            t,
            "\n[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"{exec} eslint --max-warnings=0 {{files}}\"\nglob = \"*.{{ts,tsx,js,jsx,mjs,cjs}}\""
        );
    }
    if d.prettier {
        let _ = writeln!(
            t,
            "\n[[pre-commit.jobs]]\nname = \"format\"\nrun = \"{exec} prettier --check {{files}}\"\nglob = \"*.{{ts,tsx,js,jsx,json,css,md}}\""
        );
    }
    t.push_str("\n[pre-push]\n");
    t.push_str("checks = [\"imports\", \"files\", \"env\", \"secrets\"]\n");
    if d.tsconfig {
        let _ = writeln!(
            t,
            "\n[[pre-push.jobs]]\nname = \"types\"\nrun = \"{exec} tsc --noEmit\""
        );
    }
    if d.build_script {
        let _ = writeln!(
            t,
            "\n# The build the deploy host runs, on exactly the pushed commit (untracked files invisible).\n[[pre-push.jobs]]\nname = \"build\"\nrun = \"{}\"\nclean = true\ntimeout = \"15m\"",
            run("build")
        );
    }
    if d.test_script {
        let _ = writeln!(
            t,
            "\n# [[pre-push.jobs]]\n# name = \"test\"\n# run = \"{}\"",
            run("test")
        );
    }
    t
}

fn flag(on: bool, text: &str) -> &str {
    if on { text } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_detected_combination_renders_a_valid_config() {
        for bits in 0u16..512 {
            let b = |i: u16| bits & (1 << i) != 0;
            let d = Detected {
                package_manager: [None, Some("pnpm"), Some("yarn"), Some("npm")][(bits % 4) as usize],
                tsconfig: b(2),
                eslint: b(3),
                prettier: b(4),
                workspaces: b(5),
                env_example: b(6),
                env_local: b(7),
                build_script: b(8),
                test_script: b(1),
                npm_package: b(0),
            };
            let text = render(&d);
            let c = config::parse(Path::new("hookctl.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let jobs: Vec<&str> = c
                .hooks
                .values()
                .flat_map(|h| h.jobs.iter().map(|j| j.name.as_str()))
                .collect();
            assert_eq!(jobs.contains(&"lint"), d.eslint);
            assert_eq!(jobs.contains(&"build"), d.build_script);
            assert_eq!(jobs.contains(&"types"), d.tsconfig);
        }
    }
}
