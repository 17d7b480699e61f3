//! Names that deploy manifests set: a Dockerfile's `ENV` and `ARG`, a docker-compose file's
//! `environment:` (list and map forms), Heroku's `app.json` `env`, and a package.json script
//! that sets a variable in front of its command (`"build": "INPUT=x vite build"`). Code that
//! reads such a name is not reading something undeclared: the deploy sets it. Each applies to
//! the files in its folder and below ([`super::Declarations`]).
//!
//! Dockerfiles are read with `parse-dockerfile` (line continuations, comments, heredocs, the
//! `escape` directive), compose files with serde-saphyr; what an `ENV`/`ARG` line or a script
//! assigns is split here with a small shell-word reader (quotes and backslashes; no expansion,
//! which names do not need). An unparsable manifest declares nothing: it is not hookctl's to
//! judge, and its own tool reports it.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What kind of deploy manifest a path is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manifest {
    Dockerfile,
    Compose,
    /// Heroku's `app.json`.
    AppJson,
    /// A package.json's `scripts`.
    PackageScripts,
    /// A platform config of `data/env-platforms.txt` (its line's index in [`platforms`]).
    Platform(usize),
}

/// One line of `data/env-platforms.txt`.
#[derive(Debug, PartialEq, Eq)]
pub struct Platform {
    pub file: &'static str,
    pub format: &'static str,
    pub paths: Vec<&'static str>,
}

/// The platform configs that set env names (`data/env-platforms.txt`). Malformed lines are left
/// out (a unit test keeps the file well formed).
pub fn platforms() -> &'static [Platform] {
    static TABLE: std::sync::OnceLock<Vec<Platform>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        crate::data::lines(include_str!("../../data/env-platforms.txt"))
            .filter_map(parse_platform)
            .collect()
    })
}

/// One entry of [`crate::data::lines`].
fn parse_platform(line: &'static str) -> Option<Platform> {
    let mut words = line.split_whitespace();
    let file = words.next()?;
    let format = words
        .next()
        .filter(|f| matches!(*f, "yaml" | "toml" | "json" | "jsonc"))?;
    let paths: Vec<&str> = words.collect();
    (!paths.is_empty()).then_some(Platform { file, format, paths })
}

/// The names a platform config sets: at each key path, an object's keys or a string.
fn platform_names(p: &Platform, text: &str) -> Vec<String> {
    let value: Option<serde_json::Value> = match p.format {
        "yaml" => serde_saphyr::from_str::<Option<serde_json::Value>>(text)
            .ok()
            .flatten(),
        "toml" => toml::from_str(text).ok(),
        "json" => serde_json::from_str(text).ok(),
        _ => crate::manifest::parse_jsonc(p.file, text.as_bytes()).ok(),
    };
    let Some(value) = value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for path in &p.paths {
        let mut at = vec![&value];
        for key in path.split('.') {
            at = at
                .into_iter()
                .flat_map(|v| -> Vec<&serde_json::Value> {
                    match (key, v) {
                        ("*", serde_json::Value::Object(o)) => o.values().collect(),
                        ("*", serde_json::Value::Array(a)) => a.iter().collect(),
                        (k, serde_json::Value::Object(o)) => o.get(k).into_iter().collect(),
                        _ => Vec::new(),
                    }
                })
                .collect();
        }
        for v in at {
            match v {
                serde_json::Value::Object(o) => out.extend(o.keys().cloned()),
                serde_json::Value::String(s) => out.push(s.clone()),
                _ => {}
            }
        }
    }
    out
}

/// The manifest kind of a repo-relative path.
pub fn manifest_kind(path: &str) -> Option<Manifest> {
    let file = path.rsplit('/').next().unwrap_or(path);
    // Asked of every special path of the snapshot: the common answer without an allocation.
    if file == "package.json" {
        return Some(Manifest::PackageScripts);
    }
    let starts = |p: &str| file.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    if !(starts("docker")
        || starts("compose")
        || starts("containerfile")
        || file.len() >= 11 && {
            let at = file.len() - 11;
            file.is_char_boundary(at) && file[at..].eq_ignore_ascii_case(".dockerfile")
        })
    {
        return match file {
            "app.json" => Some(Manifest::AppJson),
            _ => platforms()
                .iter()
                .position(|p| p.file == file)
                .map(Manifest::Platform),
        };
    }
    let lower = file.to_ascii_lowercase();
    let docs = [".md", ".txt", ".dockerignore", ".json", ".yml", ".yaml"];
    if lower == "dockerfile"
        || lower == "containerfile"
        || (lower.starts_with("dockerfile.") && !docs.iter().any(|d| lower.ends_with(d)))
        || lower.ends_with(".dockerfile")
    {
        Some(Manifest::Dockerfile)
    } else if (lower.starts_with("docker-compose") || lower.starts_with("compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
    {
        Some(Manifest::Compose)
    } else if file == "app.json" {
        Some(Manifest::AppJson)
    } else if file == "package.json" {
        Some(Manifest::PackageScripts)
    } else {
        platforms()
            .iter()
            .position(|p| p.file == file)
            .map(Manifest::Platform)
    }
}

/// The names a manifest sets, each with the 1-based line that sets it (first one wins).
pub fn names(kind: Manifest, bytes: &[u8]) -> BTreeMap<String, u32> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    let mut add = |name: &str, line: u32| {
        if is_name(name) {
            out.entry(name.to_string()).or_insert(line);
        }
    };
    match kind {
        Manifest::Dockerfile => {
            for (name, line) in dockerfile(text) {
                add(&name, line);
            }
        }
        Manifest::Compose => {
            for name in compose(text) {
                let line = line_of(text, &name);
                add(&name, line);
            }
        }
        Manifest::AppJson => {
            for name in app_json(text) {
                let line = line_of(text, &name);
                add(&name, line);
            }
        }
        Manifest::PackageScripts => {
            for name in package_scripts(text) {
                let line = line_of(text, &name);
                add(&name, line);
            }
        }
        Manifest::Platform(i) => {
            for name in platform_names(&platforms()[i], text) {
                let line = line_of(text, &name);
                add(&name, line);
            }
        }
    }
    out
}

/// The Dockerfile a platform config builds its image from, repo-relative (fly.toml
/// `[build] dockerfile`): its `ENV`/`ARG` names are set for the code of the config's folder,
/// the build context, wherever the Dockerfile lies (`other/Dockerfile`).
pub fn dockerfile_of(path: &str, bytes: &[u8]) -> Option<String> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    if file != "fly.toml" {
        return None;
    }
    let value: toml::Value = toml::from_str(std::str::from_utf8(bytes).ok()?).ok()?;
    let rel = value.get("build")?.get("dockerfile")?.as_str()?;
    let rel = rel.trim_start_matches("./").trim_start_matches('/');
    if rel.is_empty() || rel.split('/').any(|c| c == "..") {
        return None;
    }
    Some(if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    })
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The 1-based line of the first mention of `name` as a whole word (1 if none).
fn line_of(text: &str, name: &str) -> u32 {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, name.as_bytes())
        .find(|&at| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            !before.is_some_and(word) && !bytes.get(at + name.len()).copied().is_some_and(word)
        })
        .map_or(1, |at| {
            bytes[..at].iter().filter(|&&b| b == b'\n').count() as u32 + 1
        })
}

/// `ENV A=1 B="two words"`, the legacy `ENV A value`, `ARG A`, `ARG A=default`.
fn dockerfile(text: &str) -> Vec<(String, u32)> {
    let Ok(file) = parse_dockerfile::parse(text) else {
        return Vec::new();
    };
    let line = |at: usize| {
        text.as_bytes()[..at.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32
            + 1
    };
    let mut out = Vec::new();
    for instruction in &file.instructions {
        let (args, legacy_form) = match instruction {
            parse_dockerfile::Instruction::Env(env) => (&env.arguments, true),
            parse_dockerfile::Instruction::Arg(arg) => (&arg.arguments, false),
            _ => continue,
        };
        let at = line(args.span.start);
        let words = shell_words(&args.value);
        if legacy_form && words.first().is_some_and(|w| !w.contains('=')) {
            // `ENV NAME value with spaces`
            out.push((words[0].clone(), at));
            continue;
        }
        for w in words {
            let name = w.split_once('=').map_or(w.as_str(), |(n, _)| n);
            out.push((name.to_string(), at));
        }
    }
    out
}

#[derive(Deserialize)]
struct Compose {
    #[serde(default)]
    services: Option<BTreeMap<String, Option<Service>>>,
}

#[derive(Deserialize)]
struct Service {
    #[serde(default)]
    environment: Option<Environment>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Environment {
    /// `- NAME=value`, `- NAME` (passed from the shell running compose).
    List(Vec<String>),
    /// `NAME: value`, `NAME:`.
    #[expect(
        clippy::zero_sized_map_values,
        reason = "only the names are read; values are skipped unparsed"
    )]
    Map(BTreeMap<String, serde::de::IgnoredAny>),
}

/// Every service's `environment:` names.
fn compose(text: &str) -> Vec<String> {
    let Ok(Some(compose)) = serde_saphyr::from_str::<Option<Compose>>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for service in compose.services.unwrap_or_default().into_values().flatten() {
        match service.environment {
            Some(Environment::List(items)) => out.extend(items.iter().map(|i| {
                i.split_once('=')
                    .map_or(i.as_str(), |(n, _)| n)
                    .trim()
                    .to_string()
            })),
            Some(Environment::Map(map)) => out.extend(map.into_keys()),
            None => {}
        }
    }
    out
}

/// Heroku `app.json`: the keys of its top-level `env` object.
fn app_json(text: &str) -> Vec<String> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    json.get("env")
        .and_then(|e| e.as_object())
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Names a package.json script assigns in front of a command: `INPUT=x vite build`,
/// `cross-env NODE_OPTIONS=... next build`, `env A=1 node x`, `export A=1 && ...`.
fn package_scripts(text: &str) -> Vec<String> {
    if !text.contains("\"scripts\"") || !text.contains('=') {
        return Vec::new();
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else {
        return Vec::new();
    };
    scripts
        .values()
        .filter_map(|v| v.as_str())
        .flat_map(script_assignments)
        .collect()
}

/// Names one package.json script assigns itself before its commands (`NAME=value cmd`,
/// `cross-env NAME=value cmd`, `export NAME=value`), in each `&&`/`|`/`;` segment.
pub fn script_assignments(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for segment in script.split(['&', '|', ';', '\n']) {
        let words = shell_words(segment);
        let mut words = words.iter().peekable();
        while words
            .peek()
            .is_some_and(|w| matches!(w.as_str(), "cross-env" | "cross-env-shell" | "env" | "export"))
        {
            words.next();
        }
        for w in words {
            match w.split_once('=') {
                Some((name, _)) if is_name(name) => out.push(name.to_string()),
                _ => break,
            }
        }
    }
    out
}

/// Splits shell-like text into words: unquoted whitespace separates, `'...'` and `"..."` group,
/// a backslash escapes the next character outside single quotes. No expansion.
fn shell_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(path: &str, text: &str) -> Vec<(String, u32)> {
        let kind = manifest_kind(path).unwrap();
        names(kind, text.as_bytes()).into_iter().collect()
    }

    fn n(list: &[(&str, u32)]) -> Vec<(String, u32)> {
        list.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn kinds() {
        for (p, k) in [
            ("Dockerfile", Manifest::Dockerfile),
            ("docker/Dockerfile.prod", Manifest::Dockerfile),
            ("api.Dockerfile", Manifest::Dockerfile),
            ("Containerfile", Manifest::Dockerfile),
            ("docker-compose.yml", Manifest::Compose),
            ("deploy/docker-compose.prod.yaml", Manifest::Compose),
            ("compose.yaml", Manifest::Compose),
            ("app.json", Manifest::AppJson),
            ("apps/web/package.json", Manifest::PackageScripts),
        ] {
            assert_eq!(manifest_kind(p), Some(k), "{p}");
        }
        for p in [
            "Dockerfile.md",
            "Dockerfile.dockerignore",
            "compose.ts",
            "docker-compose.md",
            "apps.json",
            "src/docker.ts",
        ] {
            assert_eq!(manifest_kind(p), None, "{p}");
        }
    }

    /// Every line of `data/env-platforms.txt` parses, is recognised by its file name, and reads
    /// a name at each of its key paths (an example built from the path).
    #[test]
    fn every_platform_line() {
        for line in crate::data::lines(include_str!("../../data/env-platforms.txt")) {
            let p = parse_platform(line).unwrap_or_else(|| panic!("malformed line: {line}"));
            let Some(Manifest::Platform(i)) = manifest_kind(&format!("deploy/{}", p.file)) else {
                panic!("{} is not recognised", p.file);
            };
            for (n, path) in p.paths.iter().enumerate() {
                // The path as nested JSON, ending at an object with one name (or at the name).
                let name = format!("NAME_{n}");
                let keys: Vec<&str> = path.split('.').collect();
                let (last, outer) = keys.split_last().unwrap();
                // Ending at `key`: an object whose `key` is the name; else an object of names.
                let mut v = if *last == "key" {
                    serde_json::json!({ "key": name.clone() })
                } else {
                    serde_json::json!({ *last: { name.clone(): "1" } })
                };
                for k in outer.iter().rev() {
                    let k = if *k == "*" { "any" } else { k };
                    v = serde_json::json!({ k: v });
                }
                let text = match p.format {
                    "toml" => toml::to_string(&v).unwrap(),
                    "yaml" => serde_json::to_string(&v).unwrap(), // JSON is YAML
                    _ => serde_json::to_string(&v).unwrap(),
                };
                let got = platform_names(&platforms()[i], &text);
                assert!(got.contains(&name), "{line}: {path} in {text} gave {got:?}");
            }
        }
        assert_eq!(manifest_kind("serverless.ts"), None);
    }

    #[test]
    fn platform_configs() {
        let sls = "service: api\nprovider:\n  name: aws\n  environment:\n    tableName: ${self:custom.tableName}\n    stripeSecretKey: ${env:STRIPE_SECRET_KEY}\nfunctions:\n  create:\n    handler: create.main\n    environment:\n      ONLY_CREATE: x\n";
        assert_eq!(
            names_of("serverless.yml", sls),
            n(&[("ONLY_CREATE", 11), ("stripeSecretKey", 6), ("tableName", 5)])
        );
        let wrangler = "name = \"w\"\n[vars]\nAPI_HOST = \"x\"\n[env.staging.vars]\nSTAGE_ONLY = \"y\"\n";
        assert_eq!(
            names_of("wrangler.toml", wrangler),
            n(&[("API_HOST", 3), ("STAGE_ONLY", 5)])
        );
        let render = "services:\n  - type: web\n    envVars:\n      - key: DATABASE_URL\n        fromDatabase: {name: db}\n";
        assert_eq!(names_of("render.yaml", render), n(&[("DATABASE_URL", 4)]));
        // Unparsable, or a string where an object is expected: nothing.
        assert!(names_of("serverless.yml", "provider: [").is_empty());
        assert!(names_of("serverless.yml", "provider:\n  environment: ${file(env.yml)}\n").is_empty());
        assert_eq!(
            dockerfile_of("fly.toml", b"[build]\ndockerfile = \"/other/Dockerfile\"\n"),
            Some("other/Dockerfile".into())
        );
        assert_eq!(
            dockerfile_of(
                "apps/api/fly.toml",
                b"[build]\ndockerfile = \"Dockerfile.prod\"\n"
            ),
            Some("apps/api/Dockerfile.prod".into())
        );
        assert_eq!(
            dockerfile_of("fly.toml", b"[build]\ndockerfile = \"../x\"\n"),
            None
        );
        assert_eq!(dockerfile_of("app.toml", b"[build]\ndockerfile = \"x\"\n"), None);
    }

    #[test]
    fn dockerfile_env_and_arg() {
        let text = "# syntax=docker/dockerfile:1\nFROM node:20 AS build\nARG DATABASE_URL\nARG NODE_VERSION=20\nENV PUBLIC_BACKEND_ENDPOINT=http://x \\\n    OTHER=\"two words\" THIRD='q'\nENV LEGACY_NAME some value here\n# ENV COMMENTED=1\nRUN echo ENV NOT_A_NAME=1\nENV lower_case=1\n";
        assert_eq!(
            names_of("Dockerfile", text),
            n(&[
                ("DATABASE_URL", 3),
                ("LEGACY_NAME", 7),
                ("NODE_VERSION", 4),
                ("OTHER", 5),
                ("PUBLIC_BACKEND_ENDPOINT", 5),
                ("THIRD", 5),
                ("lower_case", 10),
            ])
        );
        // Malformed: no panic.
        let _ = names_of("Dockerfile", "ENV\nFROM\n\\\n\"");
    }

    #[test]
    fn compose_environment_list_and_map() {
        let text = "services:\n  web:\n    build: .\n    environment:\n      - DATABASE_URL=postgres://x\n      - PASSED_THROUGH\n  worker:\n    environment:\n      REDIS_URL: redis://r\n      EMPTY:\n  db:\n    image: postgres\n";
        assert_eq!(
            names_of("docker-compose.yml", text),
            n(&[
                ("DATABASE_URL", 5),
                ("EMPTY", 10),
                ("PASSED_THROUGH", 6),
                ("REDIS_URL", 9)
            ])
        );
        assert!(names_of("compose.yaml", "services: [1, 2\n").is_empty());
        assert!(names_of("compose.yaml", "").is_empty());
        assert!(names_of("compose.yaml", "just text").is_empty());
    }

    #[test]
    fn app_json_env() {
        let text = "{\n  \"name\": \"x\",\n  \"env\": {\n    \"SECRET_KEY\": { \"generator\": \"secret\" },\n    \"PLAIN\": \"v\"\n  }\n}\n";
        assert_eq!(names_of("app.json", text), n(&[("PLAIN", 5), ("SECRET_KEY", 4)]));
        // Expo's app.json has no top-level `env`.
        assert!(names_of("app.json", "{\"expo\": {\"extra\": {\"A\": 1}}}").is_empty());
    }

    #[test]
    fn package_json_scripts() {
        let text = r#"{
  "scripts": {
    "build": "INPUT=invoice-preview vite build && INPUT=other B=\"x y\" vite build",
    "start": "cross-env NODE_OPTIONS=--max-old-space-size=4096 PORT=3000 next start",
    "dev": "env DEBUG_X=1 node server.js; export EXPORTED=1 && tsx a.ts",
    "lint": "eslint . --rule a=b",
    "t": "vitest run X=1"
  }
}"#;
        let got: Vec<String> = names_of("package.json", text)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(got, ["B", "DEBUG_X", "EXPORTED", "INPUT", "NODE_OPTIONS", "PORT"]);
    }

    #[test]
    fn shell_words_quotes() {
        assert_eq!(shell_words(r#"A="b c" 'd e' f\ g"#), ["A=b c", "d e", "f g"]);
        assert!(shell_words("   ").is_empty());
        assert_eq!(shell_words("\"unterminated"), ["unterminated"]);
    }
}
