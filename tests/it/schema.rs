//! `docs/hookctl.schema.json`: generated from the config types, checked in, and in agreement
//! with the loader on what it accepts.

use std::path::Path;

use hookctl::commands::init::{Detected, render};
use hookctl::config;

const CHECKED_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/hookctl.schema.json");

fn generated() -> String {
    serde_json::to_string_pretty(&config::json_schema()).unwrap() + "\n"
}

/// Fails when the checked-in schema drifts from the types; `UPDATE_SCHEMA=1` rewrites it.
#[test]
fn checked_in_schema_matches_the_types() {
    let now = generated();
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(CHECKED_IN, &now).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(CHECKED_IN).unwrap_or_default();
    assert!(
        on_disk == now,
        "docs/hookctl.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo nextest run schema` and commit it"
    );
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&generated()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid draft-07 schema")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    toml::from_str(toml_text).unwrap_or_else(|e| panic!("{e}\n{toml_text}"))
}

#[test]
fn schema_accepts_every_starter_config_and_what_the_loader_accepts() {
    let v = validator();
    for bits in 0..Detected::SAMPLES {
        let d = Detected::sample(bits);
        let text = render(&d);
        config::parse(Path::new("hookctl.toml"), &text).unwrap();
        let errors: Vec<String> = v.iter_errors(&as_json(&text)).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{text}");
    }
    let full = r#"
min_version = "0.1.0"
[rules]
"env/unused" = "warning"
[imports]
generated = ["src/gql"]
not_files = ["^~icons/"]
[scan]
max_file_size = "4 MiB"
[env]
allow = ["FOO"]
turbo_declares = false
[env.vars.STRIPE_SECRET_KEY]
starts_with = "sk_test_"
format = "url"
[env.vars.STRIPE_SECRET_KEY.environments.production]
starts_with = "sk_live_"
[pre-commit]
checks = ["imports", "env"]
parallel = false
fail_fast = true
[[pre-commit.jobs]]
name = "lint"
run = "eslint {files}"
glob = ["*.ts", "*.tsx"]
exclude = "dist/**"
root = "apps/*"
timeout = "1m30s"
stage_fixed = true
env = { A = "b" }
skip = ["merge", { ref = "release/*" }]
only = { run = "test -f .ok" }
group = "check"
[[pre-commit.groups]]
name = "check"
fail_fast = true
parallel = false
[[pre-deploy.jobs]]
name = "build"
run = "npm run build"
clean = true
link = ["node_modules"]
timeout = 600
priority = 1
[pre-deploy]
checks_order = "last"
skip = "ci"
[post-checkout]
file_checkout = true
only = true
"#;
    config::parse(Path::new("hookctl.toml"), full).unwrap();
    let errors: Vec<String> = v.iter_errors(&as_json(full)).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    let v = validator();
    for bad in [
        "[pre-commit]\nglobb = \"*\"\n",
        "[[pre-commit.jobs]]\nname = \"x\"\nrun = \"y\"\nglobb = \"*\"\n",
        "[[pre-commit.jobs]]\nname = \"x\"\n",
        "[[pre-commit.jobs]]\nname = \"imports\"\nrun = \"y\"\n",
        "[[pre-commit.jobs]]\nname = \"x\"\nrun = \"y\"\nroot = \"../elsewhere\"\n",
        "[[pre-commit.jobs]]\nname = \"x\"\nrun = \"y\"\ntimeout = 0\n",
        "[rules]\n\"imports/untraked\" = \"off\"\n",
        "[rules]\n\"imports/untracked\" = \"fatal\"\n",
        "[pre-commit]\nchecks = [\"importz\"]\n",
        "[scan]\nmax_file_size = \"4 parsecs\"\n",
        "[scan]\nmax_files = 3\n",
        "[env]\nallowed = [\"X\"]\n",
        "[env.vars.X]\nformat = \"ipv6\"\n",
        "[imports]\ngenerated = \"src/gql\"\n",
        "min_version = 2\n",
        "pre-commit = 3\n",
        "[pre-commit]\nskip = \"tuesday\"\n",
        "[pre-commit]\nonly = { reff = \"main\" }\n",
        "[pre-commit]\nchecks_order = \"middle\"\n",
        "[[pre-commit.groups]]\nnme = \"x\"\n",
        "[[pre-commit.jobs]]\nname = \"x\"\nrun = \"y\"\npriority = -1\n",
    ] {
        assert!(
            config::parse(Path::new("hookctl.toml"), bad).is_err(),
            "the loader accepts:\n{bad}"
        );
        assert!(!v.is_valid(&as_json(bad)), "the schema accepts:\n{bad}");
    }
}

/// `hookctl init` names the npm package's schema copy on the first line when the package is a
/// dependency, and names nothing otherwise (no file that will not exist).
#[test]
fn init_points_schema_at_the_npm_package_copy_only_with_the_package() {
    use crate::common::Repo;
    let repo = Repo::new();
    repo.write(
        "package.json",
        "{\"name\": \"app\", \"devDependencies\": {\"hookctl\": \"^0.1.0\"}}\n",
    )
    .commit_all("init");
    repo.hookctl(&["init"]).ok();
    let text = repo.read("hookctl.toml");
    assert_eq!(
        text.lines().next(),
        Some("#:schema ./node_modules/hookctl/hookctl.schema.json"),
        "{text}"
    );
    let errors: Vec<String> = validator()
        .iter_errors(&as_json(&text))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");

    let plain = Repo::new();
    plain
        .write("package.json", "{\"name\": \"app\"}\n")
        .commit_all("init");
    plain.hookctl(&["init"]).ok();
    assert!(!plain.read("hookctl.toml").contains("#:schema"));
}
