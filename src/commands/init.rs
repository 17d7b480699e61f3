//! `hookctl init`: write a commented starter `hookctl.toml` from what the repository has
//! (package manager, tsconfig, eslint, workspaces, env files, build script).

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::InitArgs;
use crate::config::{self, FILE_NAME};
use crate::{Ctx, Exit, snapshot};

/// What `init` found in the work tree: the root's settings, and each workspace package's.
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
    /// Frameworks the root package depends on.
    pub frameworks: Vec<&'static str>,
    /// A `turbo.json` at the root.
    pub turbo: bool,
    /// Workspace packages (folders relative to the root), each with what it has.
    pub packages: Vec<Package>,
    /// The root package.json's script names.
    pub scripts: Vec<String>,
    /// Tools of [`TOOLS`] the root can run: declared in its package.json or installed in its
    /// `node_modules`.
    pub tools: Vec<&'static str>,
    /// The lockfile at the root, if any.
    pub lockfile: Option<&'static str>,
    /// Yarn 2+ (berry): `.yarnrc.yml`, or `packageManager: yarn@2+`.
    pub yarn_berry: bool,
    /// Yarn Plug'n'Play: no `node_modules`, so jobs call tools through `yarn`.
    pub pnp: bool,
    /// The root package.json's `lint` script, if any.
    pub lint_script: Option<String>,
    /// Another hook manager owns the hooks: `(its name, what shows it)`.
    pub manager: Option<(&'static str, &'static str)>,
}

/// Tools the `pre-deploy` preset writes jobs for: (package, the binary it installs).
pub const TOOLS: &[(&str, &str)] = &[
    ("typescript", "tsc"),
    ("eslint", "eslint"),
    ("vitest", "vitest"),
    ("@vitest/coverage-v8", ""),
    ("@vitest/coverage-istanbul", ""),
    ("jest", "jest"),
];

const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
];

impl Detected {
    /// How many combinations [`Detected::sample`] enumerates.
    #[doc(hidden)]
    pub const SAMPLES: u16 = 512;

    /// One combination of what `init` can detect (bit `i` of `bits` sets one finding), so tests
    /// can render every starter config (`init`'s own test, the schema test).
    #[doc(hidden)]
    pub fn sample(bits: u16) -> Detected {
        let b = |i: u16| bits & (1 << i) != 0;
        Detected {
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
            ..Detected::default()
        }
    }
}

/// One workspace package.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Package {
    /// Repo-relative folder, `/`-separated.
    pub dir: String,
    pub tsconfig: bool,
    pub eslint: bool,
    pub prettier: bool,
    pub env_example: bool,
    /// The untracked-by-design local env file it has (`.env.local` or `.env`), if any.
    pub env_local: Option<&'static str>,
    pub frameworks: Vec<&'static str>,
}

/// Where the npm package's copy of `docs/hookctl.schema.json` lands, relative to the root.
pub const NPM_SCHEMA: &str = "./node_modules/hookctl/hookctl.schema.json";

const ESLINT_CONFIGS: &[&str] = &[
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    ".eslintrc",
    ".eslintrc.js",
    ".eslintrc.cjs",
    ".eslintrc.json",
    ".eslintrc.yml",
    ".eslintrc.yaml",
];

const PRETTIER_CONFIGS: &[&str] = &[
    ".prettierrc",
    ".prettierrc.json",
    ".prettierrc.yml",
    ".prettierrc.yaml",
    ".prettierrc.js",
    ".prettierrc.cjs",
    ".prettierrc.mjs",
    "prettier.config.js",
    "prettier.config.cjs",
    "prettier.config.mjs",
];

/// Dependency name -> framework shown in the "Detected" line.
const FRAMEWORKS: &[(&str, &str)] = &[
    ("next", "Next.js"),
    ("nuxt", "Nuxt"),
    ("@sveltejs/kit", "SvelteKit"),
    ("astro", "Astro"),
    ("@remix-run/react", "Remix"),
    ("react-router", "React Router"),
    ("vite", "Vite"),
    ("expo", "Expo"),
    ("@nestjs/core", "NestJS"),
];

/// The file to write: the starter config (with the preset's hook), or the existing config
/// with the preset's hook appended; an existing file is otherwise kept unless `--force`.
fn config_text(
    target: &std::path::Path,
    force: bool,
    detected: &Detected,
    preset: Option<String>,
) -> anyhow::Result<String> {
    Ok(match (target.exists() && !force, preset) {
        // `--preset` adds its hook to an existing configuration that lacks it.
        (true, Some(section)) => {
            let existing = std::fs::read_to_string(target)?;
            let current = config::parse(target, &existing).map_err(|e| anyhow::anyhow!(e.chain()))?;
            if current.hooks.contains_key(crate::commands::run::PRE_DEPLOY) {
                return Err(anyhow::anyhow!(
                    "{} already has a `[pre-deploy]` hook (use --force to rewrite the whole file)",
                    target.display()
                ));
            }
            let sep = if existing.ends_with('\n') { "" } else { "\n" };
            format!("{existing}{sep}{section}")
        }
        (true, None) => {
            return Err(anyhow::anyhow!(
                "{} already exists (use --force to overwrite it)",
                target.display()
            ));
        }
        (false, preset) => render(detected) + preset.as_deref().unwrap_or(""),
    })
}

pub fn run(ctx: &Ctx, args: &InitArgs) -> anyhow::Result<Exit> {
    let (repo, paths) = snapshot::open()?;
    // A bare repository has no work tree to hold a hookctl.toml (nor hooks that read one).
    if repo.is_bare() {
        return Err(anyhow::anyhow!(
            "{} is a bare repository: it has no work tree for a hookctl.toml. Run `hookctl init` in a \
             clone, commit the file there and push it; `hookctl install --server` sets up this \
             repository's pre-receive checks",
            paths.git_dir.display().to_string().trim_end_matches('/')
        ));
    }
    let root = paths.root.clone();
    let target = root.join(FILE_NAME);
    let detected = detect(&root);
    // Another hook manager's setup is `migrate`'s to translate; a starter config beside it
    // would leave two managers, and a `prepare` script that fights husky's.
    if let Some((manager, shown)) = detected.manager
        && !args.force
        && args.preset.is_none()
        && !target.exists()
    {
        return Err(anyhow::anyhow!(
            "{manager} manages this repository's hooks ({shown}): `{}` writes hookctl.toml from its setup, \
             and `{}` also takes the hooks over (`{}` writes a starter config instead)",
            super::install::command_for(Some(&root), "migrate"),
            super::install::command_for(Some(&root), "migrate --yes"),
            super::install::command_for(Some(&root), "init --force"),
        ));
    }
    let preset = args.preset.map(|p| match p {
        crate::cli::Preset::PreDeploy => render_pre_deploy(&detected),
    });
    let appended = target.exists() && !args.force && preset.is_some();
    let text = config_text(&target, args.force, &detected, preset)?;
    // Never write a file hookctl itself would reject.
    config::parse(&target, &text)
        .map_err(|e| anyhow::anyhow!("internal error: generated config is invalid: {}", e.chain()))?;
    super::write_whole(&target, &text)?;
    // Under another manager, its own install script stays (migrate replaces it).
    let prepare = if detected.manager.is_some() {
        crate::prepare::Prepare::NoPackageJson
    } else {
        crate::prepare::ensure(&root)?
    };
    if !ctx.quiet {
        if appended {
            errln!("hookctl: appended a `[pre-deploy]` hook to {}", target.display());
        } else {
            errln!("hookctl: wrote {}", target.display());
        }
        if args.preset.is_some() {
            errln!(
                "  `{}` runs the pre-deployment checks and jobs (see `[pre-deploy]`)",
                super::install::command_for(Some(&root), "run pre-deploy")
            );
        }
        if let Some((manager, shown)) = detected.manager {
            errln!(
                "  note: {manager} manages this repository's hooks ({shown}): `{}` translates its setup and takes the hooks over",
                super::install::command_for(Some(&root), "migrate --yes --force")
            );
            return Ok(Exit::Success);
        }
        print_prepare(&root, &prepare);
        if !appended {
            errln!(
                "  next: review it, then `{}` to run it on every commit and push",
                super::install::command_for(Some(&root), "install")
            );
        }
    }
    Ok(Exit::Success)
}

/// One line about the `prepare` script that installs the hooks on `npm install`.
fn print_prepare(root: &Path, prepare: &crate::prepare::Prepare) {
    use crate::prepare::{PREPARE, Prepare};
    let pm = crate::package_manager::Pm::detect(root);
    match prepare {
        Prepare::Added(key) => {
            errln!(
                "hookctl: added `\"{key}\": \"{PREPARE}\"` to package.json: `{}` installs the hooks, in every clone",
                pm.install()
            );
            if !super::install::npm_dependency(root) {
                errln!(
                    "  note: hookctl is not a dependency in package.json, so that script finds no hookctl in a \
                     teammate's clone: `{}` adds it",
                    pm.add_dev("hookctl")
                );
            }
        }
        Prepare::Other(key, script) => errln!(
            "  note: package.json's `{key}` script is `{script}`: add `{PREPARE}` to it so that `{}` installs the hooks",
            pm.install()
        ),
        Prepare::Unreadable => {
            errln!("  note: package.json could not be read; no install script added");
        }
        Prepare::Present | Prepare::NoPackageJson => {}
    }
}

fn manifest(dir: &Path) -> serde_json::Value {
    std::fs::read(dir.join("package.json"))
        .ok()
        .and_then(|b| crate::manifest::parse_jsonc("package.json", &b).ok())
        .unwrap_or_default()
}

fn frameworks(manifest: &serde_json::Value) -> Vec<&'static str> {
    let deps = |k: &str, name: &str| manifest.get(k).and_then(|d| d.get(name)).is_some();
    FRAMEWORKS
        .iter()
        .filter(|(dep, _)| deps("dependencies", dep) || deps("devDependencies", dep))
        .map(|(_, name)| *name)
        .collect()
}

fn any_of(dir: &Path, names: &[&str]) -> bool {
    names.iter().any(|f| dir.join(f).is_file())
}

fn env_example(dir: &Path) -> bool {
    any_of(dir, &[".env.example", ".env.sample", ".env.template"])
}

fn env_local(dir: &Path) -> Option<&'static str> {
    [".env.local", ".env"].into_iter().find(|f| dir.join(f).is_file())
}

pub fn detect(root: &Path) -> Detected {
    let has = |name: &str| root.join(name).exists();
    let pm = crate::package_manager::Pm::detect(root);
    let package_manager =
        (has("package.json") || LOCKFILES.iter().any(|f| has(f)) || has("pnpm-workspace.yaml"))
            .then(|| pm.name());
    let manifest = manifest(root);
    let script = |name: &str| manifest.pointer(&format!("/scripts/{name}")).is_some();
    let declares_hookctl = ["dependencies", "devDependencies"]
        .iter()
        .any(|k| manifest.get(k).and_then(|d| d.get("hookctl")).is_some());
    let packages: Vec<Package> = crate::config::nested::workspace_folders(root)
        .into_iter()
        .map(|rel| {
            let dir = root.join(&rel);
            Package {
                dir: rel.to_string_lossy().replace('\\', "/"),
                tsconfig: dir.join("tsconfig.json").is_file(),
                eslint: any_of(&dir, ESLINT_CONFIGS),
                prettier: any_of(&dir, PRETTIER_CONFIGS),
                env_example: env_example(&dir),
                env_local: env_local(&dir),
                frameworks: frameworks(&manifest_of(&dir)),
            }
        })
        .collect();
    let declared = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|k| manifest.get(k).and_then(|d| d.get(name)).is_some())
    };
    let tools = TOOLS
        .iter()
        .filter(|(pkg, bin)| {
            declared(pkg)
                || (!bin.is_empty() && root.join("node_modules/.bin").join(bin).is_file())
                || (bin.is_empty() && root.join("node_modules").join(pkg).is_dir())
        })
        .map(|(pkg, _)| *pkg)
        .collect();
    let scripts = manifest
        .get("scripts")
        .and_then(|s| s.as_object())
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let yarn_berry = has(".yarnrc.yml")
        || manifest
            .get("packageManager")
            .and_then(|v| v.as_str())
            .and_then(|v| v.strip_prefix("yarn@"))
            .is_some_and(|v| !v.starts_with('1'));
    let lint_script = manifest
        .pointer("/scripts/lint")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Detected {
        pnp: pm.pnp,
        lint_script,
        manager: hook_manager(root),
        scripts,
        tools,
        lockfile: LOCKFILES.iter().copied().find(|f| has(f)),
        yarn_berry,
        npm_package: has("package.json")
            && (declares_hookctl || has("node_modules/hookctl/hookctl.schema.json")),
        package_manager,
        tsconfig: has("tsconfig.json"),
        eslint: any_of(root, ESLINT_CONFIGS),
        prettier: any_of(root, PRETTIER_CONFIGS),
        workspaces: manifest.get("workspaces").is_some() || has("pnpm-workspace.yaml"),
        env_example: env_example(root),
        env_local: env_local(root).is_some(),
        build_script: script("build"),
        test_script: script("test"),
        frameworks: frameworks(&manifest),
        turbo: has("turbo.json"),
        packages,
    }
}

/// Another hook manager's setup at `root`: `(name, what shows it)`.
pub fn hook_manager(root: &Path) -> Option<(&'static str, &'static str)> {
    let husky = root.join(".husky");
    let husky_hooks = std::fs::read_dir(&husky).ok().is_some_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| crate::hook_names::GIT_HOOKS.contains(&e.file_name().to_string_lossy().as_ref()))
    });
    if husky_hooks || husky.join("_").is_dir() {
        return Some(("husky", ".husky/"));
    }
    for name in ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml"] {
        if root.join(name).is_file() {
            return Some(("lefthook", "lefthook.yml"));
        }
    }
    if root.join(".pre-commit-config.yaml").is_file() {
        return Some(("pre-commit", ".pre-commit-config.yaml"));
    }
    None
}

fn manifest_of(dir: &Path) -> serde_json::Value {
    manifest(dir)
}

/// What goes before a dependency's binary in a job: nothing, since every job's PATH starts
/// with the project's `node_modules/.bin` folders (`jobs::path`), except under Yarn Plug'n'Play,
/// which has no `node_modules`: `yarn eslint` there.
pub fn exec_prefix(d: &Detected) -> &'static str {
    if d.pnp { "yarn " } else { "" }
}

/// A job name from a package folder: `lint-web` for `apps/web`, unique among `taken`.
fn unique(base: &str, dir: &str, taken: &mut Vec<String>) -> String {
    let leaf = dir.rsplit('/').next().unwrap_or(dir);
    let mut name = format!("{base}-{leaf}");
    if taken.contains(&name) {
        name = format!("{base}-{}", dir.replace('/', "-"));
    }
    taken.push(name.clone());
    name
}

pub fn render(d: &Detected) -> String {
    let pm = d.package_manager.unwrap_or("npm");
    let exec = exec_prefix(d);
    let mut t = String::new();
    render_header(&mut t, d, pm);
    render_settings(&mut t, d);
    render_pre_commit(&mut t, d, exec);
    render_pre_push(&mut t, d, pm, exec);
    t
}

/// The schema line, and what was detected (package manager, tools, workspaces, frameworks).
fn render_header(t: &mut String, d: &Detected, pm: &str) {
    if d.npm_package {
        // Taplo / Even Better TOML read the schema named on the first line.
        let _ = writeln!(t, "#:schema {NPM_SCHEMA}");
    }
    let _ = writeln!(
        t,
        "# hookctl configuration, written by `hookctl init`. Reference: `hookctl --help` and hookctl's README."
    );
    let mut frameworks: Vec<&str> = d.frameworks.clone();
    for p in &d.packages {
        for f in &p.frameworks {
            if !frameworks.contains(f) {
                frameworks.push(f);
            }
        }
    }
    let _ = writeln!(
        t,
        "# Detected: package manager {pm}{}{}{}{}{}{}.",
        flag(d.tsconfig, ", tsconfig.json"),
        flag(d.eslint || d.packages.iter().any(|p| p.eslint), ", eslint"),
        flag(d.prettier || d.packages.iter().any(|p| p.prettier), ", prettier"),
        if d.packages.is_empty() {
            flag(d.workspaces, ", workspaces").to_string()
        } else {
            format!(", {} workspace packages", d.packages.len())
        },
        flag(d.env_example, ", .env.example"),
        if frameworks.is_empty() {
            String::new()
        } else {
            format!(", {}", frameworks.join(", "))
        }
    );
    if d.pnp {
        t.push_str(
            "# Yarn Plug'n'Play has no node_modules/.bin: jobs run the project's tools through `yarn`.\n",
        );
    } else {
        t.push_str(
            "# Jobs run with the project's node_modules/.bin folders on PATH, as npm scripts do: call the\n\
             # tools by name (`eslint`, `tsc`), with no runner that starts Node first.\n",
        );
    }
}

/// `[rules]`, `[imports]` and `[env]`, commented out but for what the repository lacks.
fn render_settings(t: &mut String, d: &Detected) {
    t.push('\n');
    t.push_str("# Rule levels: \"error\" blocks, \"warning\" reports, \"off\" silences.\n");
    t.push_str("[rules]\n");
    t.push_str("# \"env/unused\" = \"warning\"     # declared in .env.example but read nowhere\n");
    t.push_str("# \"env/dynamic\" = \"warning\"    # process.env[name] that cannot be checked\n\n");
    t.push_str("[imports]\n");
    t.push_str("# Generated folders (git-ignored by design) whose files are never \"untracked\".\n");
    t.push_str("# generated = [\"<folder>\"]\n");
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
            "# No .env.example at the root: create one listing every variable the code reads{hint}."
        );
    }
    for p in d.packages.iter().filter(|p| !p.env_example) {
        if let Some(local) = p.env_local {
            let _ = writeln!(
                t,
                "# {dir}: no .env.example; add one there listing the names (not the values) in {dir}/{local}.",
                dir = p.dir
            );
        }
    }
    t.push_str("# Names that count as declared without being in .env.example.\n");
    t.push_str("allow = []\n");
    t.push_str("# Committed .env/.env.development/.env.production/.env.test declare names too.\n");
    t.push_str("# committed_env_files_declare = true\n");
    if d.turbo {
        t.push_str("# So do turbo.json's env entries.\n# turbo_declares = true\n");
    }
    t.push_str("# Value rules for `hookctl env check` (e.g. at container start):\n");
    t.push_str("# [env.vars.STRIPE_SECRET_KEY]\n# starts_with = \"sk_test_\"\n");
    t.push_str("# [env.vars.STRIPE_SECRET_KEY.environments.production]\n# starts_with = \"sk_live_\"\n\n");
}

/// `[pre-commit]`: the built-in checks, eslint (one job per package with its own config) and
/// prettier.
fn render_pre_commit(t: &mut String, d: &Detected, exec: &str) {
    t.push_str("[pre-commit]\n");
    t.push_str("checks = [\"imports\", \"files\", \"env\", \"secrets\", \"deps\"]\n");
    let mut taken: Vec<String> = Vec::new();
    let code = "*.{ts,tsx,js,jsx,mjs,cjs}";
    // ESLint reads the config of the folder it runs in: one job per package with its own.
    let eslint_pkgs: Vec<&Package> = d.packages.iter().filter(|p| p.eslint).collect();
    if d.eslint {
        taken.push("lint".into());
        let _ = write!(
            t,
            "\n[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"{exec}eslint --max-warnings=0 {{files}}\"\nglob = \"{code}\"\n"
        );
        if !eslint_pkgs.is_empty() {
            let ex: Vec<String> = eslint_pkgs.iter().map(|p| format!("\"{}/**\"", p.dir)).collect();
            let _ = writeln!(t, "exclude = [{}]   # linted by their own job", ex.join(", "));
        }
    }
    for p in &eslint_pkgs {
        let name = unique("lint", &p.dir, &mut taken);
        let _ = write!(
            t,
            "\n[[pre-commit.jobs]]\nname = \"{name}\"\nroot = \"{}\"\nrun = \"{exec}eslint --max-warnings=0 {{files}}\"\nglob = \"{code}\"\n",
            p.dir
        );
    }
    // Prettier finds the nearest config of each file itself: one job from the root.
    if d.prettier || d.packages.iter().any(|p| p.prettier) {
        let _ = write!(
            t,
            "\n[[pre-commit.jobs]]\nname = \"format\"\nrun = \"{exec}prettier --check {{files}}\"\nglob = \"*.{{ts,tsx,js,jsx,json,css,md}}\"\n"
        );
    }
}

/// `[pre-push]`: the built-in checks, `tsc` per package with a tsconfig, and the build and
/// tests commented out.
fn render_pre_push(t: &mut String, d: &Detected, pm: &str, exec: &str) {
    let run = |script: &str| match pm {
        "npm" => format!("npm run {script}"),
        other => format!("{other} run {script}"),
    };
    t.push_str("\n[pre-push]\n");
    t.push_str("# Add \"git\" to refuse a push from a work tree with uncommitted changes (git/clean).\n");
    t.push_str("checks = [\"imports\", \"files\", \"env\", \"secrets\", \"deps\"]\n");
    let ts_pkgs: Vec<&Package> = d.packages.iter().filter(|p| p.tsconfig).collect();
    if ts_pkgs.is_empty() && d.tsconfig {
        let _ = write!(
            t,
            "\n[[pre-push.jobs]]\nname = \"types\"\nrun = \"{exec}tsc --noEmit\"\n"
        );
    }
    let mut taken: Vec<String> = Vec::new();
    for p in &ts_pkgs {
        let name = unique("types", &p.dir, &mut taken);
        let _ = write!(
            t,
            "\n[[pre-push.jobs]]\nname = \"{name}\"\nroot = \"{}\"\nrun = \"{exec}tsc --noEmit\"\n",
            p.dir
        );
    }
    if d.build_script {
        let _ = write!(
            t,
            "\n# The build the deploy host runs, on exactly the pushed commit (untracked files invisible).\n\
             # Slow (a fresh checkout every push): uncomment to use it.\n\
             # [[pre-push.jobs]]\n# name = \"build\"\n# run = \"{}\"\n# clean = true\n# timeout = \"15m\"\n",
            run("build")
        );
    }
    if d.test_script {
        let _ = write!(
            t,
            "\n# [[pre-push.jobs]]\n# name = \"test\"\n# run = \"{}\"\n",
            run("test")
        );
    }
}

/// `--preset pre-deploy`: the `[pre-deploy]` hook that replaces a team's pre-deployment
/// script. Every built-in group, then jobs for what the repository has the tools for; a job
/// whose tool is missing is left out with a comment saying what would enable it (init never
/// writes a command that cannot run).
pub fn render_pre_deploy(d: &Detected) -> String {
    let mut t = String::new();
    t.push_str(
        "\n# `hookctl run pre-deploy`: the pre-deployment script as one command. The built-in checks\n",
    );
    t.push_str(
        "# run first, then the jobs; it ends with one summary table (item, status, time) and exits 1\n",
    );
    t.push_str("# naming each failed item.\n");
    t.push_str("[pre-deploy]\n");
    t.push_str(
        "# imports: every import resolves to a committed file (untracked, unresolved, case, undeclared)\n",
    );
    t.push_str(
        "# files:   node/version (.nvmrc, volta, engines.node, and the running `node`), case collisions\n",
    );
    t.push_str("# env:     every env var read is declared; client code reads only public ones\n");
    t.push_str("# secrets: no secrets in committed files\n");
    t.push_str("# deps:    the lockfile satisfies every package.json (deps/lockfile-drift);\n");
    t.push_str("#          no devDependency imported at runtime (deps/dev-only-at-runtime)\n");
    t.push_str(
        "# git:     a clean git state (git/clean): no uncommitted changes, no untracked imported file\n",
    );
    t.push_str("checks = [\"imports\", \"files\", \"env\", \"secrets\", \"deps\", \"git\"]\n");
    let mut w = PreDeploy {
        d,
        pm: d.package_manager.unwrap_or("npm"),
        exec: exec_prefix(d),
        t,
    };
    w.types();
    w.lint();
    w.test();
    w.build_and_audit();
    w.t
}

/// The jobs of `[pre-deploy]`, written for what the repository has the tools for.
struct PreDeploy<'a> {
    d: &'a Detected,
    pm: &'a str,
    exec: &'static str,
    t: String,
}

impl PreDeploy<'_> {
    fn job(&mut self, name: &str, cmd: &str, extra: &str) {
        let _ = write!(
            self.t,
            "\n[[pre-deploy.jobs]]\nname = \"{name}\"\nrun = {}\n{extra}",
            toml_string(cmd)
        );
    }

    /// The command running a package.json script.
    fn run(&self, script: &str) -> String {
        match self.pm {
            "npm" => format!("npm run {script}"),
            other => format!("{other} run {script}"),
        }
    }

    fn tool(&self, t: &str) -> bool {
        self.d.tools.contains(&t)
    }

    /// The first of `names` that package.json has as a script.
    fn script(&self, names: &[&'static str]) -> Option<&'static str> {
        names
            .iter()
            .copied()
            .find(|n| self.d.scripts.iter().any(|s| s == n))
    }

    /// Type-check: the `typecheck` script, else `tsc` at the root or per package.
    fn types(&mut self) {
        let d = self.d;
        let exec = self.exec;
        // Type-check.
        let ts_pkgs: Vec<&Package> = d.packages.iter().filter(|p| p.tsconfig).collect();
        if let Some(s) = self.script(&["typecheck", "type-check", "check-types", "types"]) {
            self.job("types", &self.run(s), "");
        } else if self.tool("typescript") && d.tsconfig {
            self.job("types", &format!("{exec}tsc --noEmit"), "");
        } else if self.tool("typescript") && !ts_pkgs.is_empty() {
            let mut taken = Vec::new();
            for p in ts_pkgs {
                let name = unique("types", &p.dir, &mut taken);
                self.job(
                    &name,
                    &format!("{exec}tsc --noEmit"),
                    &format!("root = {}\n", toml_string(&p.dir)),
                );
            }
        } else {
            self.t.push_str("\n# No type-check job: no `typecheck` script, or no tsconfig.json with `typescript` installed.\n");
        }
    }

    /// Lint: the `lint` script (not an interactive `next lint`), else eslint.
    fn lint(&mut self) {
        let d = self.d;
        let exec = self.exec;
        // Lint.
        let any_eslint = d.eslint || d.packages.iter().any(|p| p.eslint);
        let next_lint = d.lint_script.as_deref().is_some_and(|l| l.contains("next lint"));
        if self.script(&["lint"]).is_some() && next_lint && !any_eslint {
            self.t.push_str(
                "\n# No lint job: the `lint` script runs `next lint`, which without an ESLint config asks\n\
                 # interactively how to set ESLint up (a job has no terminal to answer). Add an\n\
                 # eslint.config.mjs, then a job running the `lint` script.\n",
            );
        } else if let Some(s) = self.script(&["lint"]) {
            self.job("lint", &self.run(s), "");
        } else if self.tool("eslint") && d.eslint {
            self.job("lint", &format!("{exec}eslint --max-warnings=0 ."), "");
        } else {
            self.t.push_str(
                "\n# No lint job: no `lint` script, or no eslint config with `eslint` installed.\n",
            );
        }
    }

    /// Tests with an 80% line coverage threshold where the runner can enforce it.
    fn test(&mut self) {
        let exec = self.exec;
        // Tests with a coverage threshold.
        let coverage = self.tool("@vitest/coverage-v8") || self.tool("@vitest/coverage-istanbul");
        if self.tool("vitest") && coverage {
            self.job(
                "test",
                &format!("{exec}vitest run --coverage --coverage.thresholds.lines=80"),
                "",
            );
        } else if self.tool("vitest") {
            self.t.push_str(
                "\n# Vitest without a coverage provider: `npm install -D @vitest/coverage-v8`, then\n",
            );
            let _ = writeln!(
                self.t,
                "# run = \"{exec}vitest run --coverage --coverage.thresholds.lines=80\" enforces 80% line coverage."
            );
            self.job("test", &format!("{exec}vitest run"), "");
        } else if self.tool("jest") {
            self.job(
                "test",
                &format!("{exec}jest --coverage --coverageThreshold='{{\"global\":{{\"lines\":80}}}}'"),
                "",
            );
        } else if let Some(s) = self.script(&["test"]) {
            self.t.push_str(
                "\n# Neither vitest nor jest is a dependency: set the 80% coverage threshold in the test\n",
            );
            self.t.push_str("# runner's own configuration.\n");
            self.job("test", &self.run(s), "");
        } else {
            self.t
                .push_str("\n# No test job: no `test` script, vitest or jest.\n");
        }
    }

    /// The build in a clean checkout, and the package manager's audit.
    fn build_and_audit(&mut self) {
        let d = self.d;
        let pm = self.pm;
        // The build the deploy host runs, on exactly the committed files.
        if let Some(s) = self.script(&["build"]) {
            self.t.push_str(
                "\n# In a fresh checkout of the index: untracked files are invisible, as on the deploy host.",
            );
            self.job("build", &self.run(s), "clean = true\ntimeout = \"15m\"\n");
        } else {
            self.t
                .push_str("\n# No build job: package.json has no `build` script.\n");
        }
        // Known vulnerabilities, with the package manager's own audit (it needs the lockfile).
        let audit = match (pm, d.lockfile) {
            ("npm", Some("package-lock.json")) => Some("npm audit --audit-level=high"),
            ("pnpm", Some("pnpm-lock.yaml")) => Some("pnpm audit --audit-level high"),
            ("yarn", Some("yarn.lock")) if d.yarn_berry => {
                Some("yarn npm audit --all --recursive --severity high")
            }
            ("yarn", Some("yarn.lock")) => Some("yarn audit --level high"),
            ("bun", Some("bun.lock" | "bun.lockb")) => Some("bun audit --audit-level=high"),
            _ => None,
        };
        match audit {
            Some(cmd) => self.job("audit", cmd, ""),
            None => self.t.push_str(
                "\n# No audit job: the package manager's audit needs its lockfile, and there is none.\n",
            ),
        }
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn flag(on: bool, text: &str) -> &str {
    if on { text } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_detected_combination_renders_a_valid_config() {
        for bits in 0..Detected::SAMPLES {
            let d = Detected::sample(bits);
            let text = render(&d);
            let c = config::parse(Path::new("hookctl.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let jobs: Vec<&str> = c
                .hooks
                .values()
                .flat_map(|h| h.jobs.iter().map(|j| j.name.as_str()))
                .collect();
            assert_eq!(jobs.contains(&"lint"), d.eslint);
            assert!(
                !jobs.contains(&"build"),
                "the clean build is written commented out"
            );
            assert_eq!(text.contains("# name = \"build\""), d.build_script);
            assert!(!text.contains("npx "), "{text}");
            assert_eq!(jobs.contains(&"types"), d.tsconfig);
        }
    }
}
