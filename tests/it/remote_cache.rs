//! `[cache] remote = "turbo"` against the real server teams self-host: `turborepo-remote-cache`
//! from npm (its local storage provider, on loopback). The server is `$HOOKCTL_TEST_TURBO_CACHE`
//! (its `dist/cli.js`; `.ci/run` installs it), else installed here from the npm registry into
//! cargo's target folder once. Without node/npm the server tests are skipped, except under CI
//! where they fail.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BIN, Repo, Run, prerequisite, run_with_stdin, wait_for};

const SERVER_VERSION: &str = "2.12.0";
const TOKEN: &str = "test-token-1234";
const TEAM: &str = "hookctl-tests";
/// Source files of the generated repository for the timing test: enough that parsing
/// dominates a cold run (the other tests use [`SMALL`]).
const FILES: usize = 1500;
const SMALL: usize = 400;
/// `[cache]` for the tests with a server: a generous first-answer bound (test processes share
/// the machine with a Node server each; the default 200 ms is for a dead server's cost).
const SERVED: &str = "remote = \"turbo\"\nremote_timeout = \"10s\"";

#[expect(
    clippy::disallowed_methods,
    reason = "the test's own settings, not variables hookctl reads"
)]
fn var(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name)
}

/// turborepo-remote-cache's `dist/cli.js`, or `None` (skip) when it cannot be had outside CI.
fn server_cli() -> Option<PathBuf> {
    if let Some(p) = var("HOOKCTL_TEST_TURBO_CACHE") {
        return Some(PathBuf::from(p));
    }
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = target.join(format!("turborepo-remote-cache-{SERVER_VERSION}"));
    let cli = dir.join("node_modules/turborepo-remote-cache/dist/cli.js");
    if !cli.is_file() {
        // Test processes run at once: install apart, then rename into place (one wins).
        let tmp = tempfile::tempdir_in(target).unwrap();
        let ok = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(tmp.path())
            .arg(format!("turborepo-remote-cache@{SERVER_VERSION}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let _ = std::fs::rename(tmp.keep(), &dir);
        }
    }
    prerequisite(
        cli.is_file().then_some(cli),
        "HOOKCTL_REQUIRE_TURBO_CACHE",
        "turborepo-remote-cache could not be installed from npm (set HOOKCTL_TEST_TURBO_CACHE to its dist/cli.js)",
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running turborepo-remote-cache; stopped on drop.
struct Server {
    child: Child,
    url: String,
    store: tempfile::TempDir,
}

impl Server {
    /// `key`: the server keeps the `x-artifact-tag` of uploads only when it has a signature key.
    fn start(cli: &Path, key: Option<&str>) -> Server {
        let store = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut c = Command::new("node");
        c.arg(cli)
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("NODE_ENV", "production")
            .env("STORAGE_PROVIDER", "local")
            .env("STORAGE_PATH", store.path())
            .env("STORAGE_PATH_USE_TMP_FOLDER", "false")
            .env("TURBO_TOKEN", TOKEN)
            .env("LOG_LEVEL", "error")
            .env_remove("TURBO_REMOTE_CACHE_SIGNATURE_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(k) = key {
            c.env("TURBO_REMOTE_CACHE_SIGNATURE_KEY", k);
        }
        let child = c.spawn().expect("node runs turborepo-remote-cache");
        let addr = format!("127.0.0.1:{port}");
        assert!(
            wait_for(|| std::net::TcpStream::connect(&addr).is_ok(), 60),
            "turborepo-remote-cache did not start"
        );
        Server {
            child,
            url: format!("http://{addr}"),
            store,
        }
    }

    /// The artifacts stored (name -> body, unpacked from the stored form), tags apart.
    fn artifacts(&self) -> Vec<(String, Vec<u8>)> {
        self.stored()
            .into_iter()
            .map(|(n, b)| (n, hookctl::cache::remote::unpack(&b).unwrap_or(b)))
            .collect()
    }

    /// The artifacts as stored (name -> the bytes the server keeps), tags apart.
    fn stored(&self) -> Vec<(String, Vec<u8>)> {
        let dir = self.store.path().join(TEAM);
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.ends_with(".tag"))
                    .map(|n| {
                        let bytes = std::fs::read(dir.join(&n)).unwrap();
                        (n, bytes)
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Put `body` in place of artifact `name` as hookctl stores one (packed), leaving its
    /// tag: what someone with write access to the store and without the key can do.
    fn replace(&self, name: &str, body: &[u8]) {
        std::fs::write(self.artifact_path(name), hookctl::cache::remote::pack(body)).unwrap();
    }

    fn artifact_path(&self, name: &str) -> PathBuf {
        self.store.path().join(TEAM).join(name)
    }

    /// The name of the artifact holding a whole snapshot's facts (a facts file of the local
    /// cache's layout), if one was uploaded.
    fn snapshot_artifact(&self) -> Option<String> {
        self.artifacts()
            .into_iter()
            .find(|(_, b)| b.starts_with(b"HKCFACTS"))
            .map(|(n, _)| n)
    }

    /// Remove the snapshot's artifact: a fresh clone then reads the facts chunks (what a clone
    /// a few commits away from every uploaded snapshot reads).
    fn drop_snapshot(&self) {
        let name = self
            .snapshot_artifact()
            .expect("a snapshot's facts were uploaded");
        std::fs::remove_file(self.artifact_path(&name)).unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A repository of `files` TypeScript modules plus three findings (an unresolved import, an
/// undeclared env var, an import of an untracked file), with `[cache]` as given.
fn repo(cache: &str, files: usize) -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"app","version":"1.0.0","dependencies":{"left-pad":"1.3.0"}}"#,
    );
    r.write(".env.example", "API_URL=\n");
    r.write("hookctl.toml", format!("[cache]\n{cache}\n"));
    for i in 0..files {
        let mut text = String::new();
        if i > 0 {
            let _ = writeln!(text, "import {{ value{} }} from './m{}';", i - 1, i - 1);
        }
        text.push_str("import leftPad from 'left-pad';\nimport type { Thing } from './types';\n\n");
        for j in 0..12 {
            let _ = writeln!(
                text,
                "export function f{i}_{j}(x: Thing, n: number): string {{\n  const url = process.env.API_URL ?? 'http://localhost';\n  return leftPad(`${{url}}/${{x.id}}/${{n + {j}}}`, 10);\n}}\n"
            );
        }
        let _ = writeln!(text, "export const value{i} = {i};");
        r.write(&format!("src/m{i}.ts"), text);
    }
    r.write("src/types.ts", "export interface Thing { id: string }\n");
    r.write(
        "src/bad.ts",
        "import { gone } from './gone';\nimport { local } from './local-only';\nexport const key = process.env.UNDECLARED_SECRET_NAME;\nexport { gone, local };\n",
    );
    r.commit_all("app");
    // On disk, never committed: `imports/untracked`.
    r.write("src/local-only.ts", "export const local = 1;\n");
    r
}

/// `hookctl ARGS` in `dir` with the remote cache's variables (and nothing inherited of turbo's).
fn hookctl_remote(dir: &Path, url: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut c = Command::new(BIN);
    c.current_dir(dir).args(args);
    for v in [
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_WORK_TREE",
        "HOOKCTL_SKIP",
        "HOOKCTL_TIMINGS",
        "TURBO_TEAMID",
        "TURBO_REMOTE_CACHE_SIGNATURE_KEY",
        "TURBO_REMOTE_CACHE_READ_ONLY",
    ] {
        c.env_remove(v);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("TURBO_API", url)
        .env("TURBO_TOKEN", TOKEN)
        .env("TURBO_TEAM", TEAM);
    for (k, v) in env {
        c.env(k, v);
    }
    run_with_stdin(c, None)
}

/// The findings of a full check (rule, path, name or specifier) and how long it took.
fn check(dir: &Path, url: &str, env: &[(&str, &str)]) -> (Vec<String>, Duration, Run) {
    let t0 = Instant::now();
    let run = hookctl_remote(dir, url, env, &["check", "--all-findings", "--format", "json"]);
    let took = t0.elapsed();
    assert_eq!(run.code, 1, "{}", run.all());
    let json = run.json();
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let what = f.get("specifier").or(f.get("name")).and_then(|v| v.as_str());
            format!(
                "{} {} {}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                what.unwrap_or("")
            )
        })
        .collect();
    (findings, took, run)
}

/// A fresh clone of `from` beside it (no hookctl cache), with the untracked file copied over.
fn fresh_clone(from: &Repo, name: &str) -> Repo {
    let dir = from.sibling(name);
    let run = Run::from_output(
        crate::common::git_cmd(from.root.parent().unwrap())
            .args(["clone", "-q"])
            .arg(&from.root)
            .arg(&dir)
            .output()
            .unwrap(),
    );
    run.ok();
    std::fs::copy(from.path("src/local-only.ts"), dir.join("src/local-only.ts")).unwrap();
    assert!(!dir.join(".git/hookctl").exists());
    Repo::at(dir)
}

/// In report order (path, line, column).
const EXPECTED: &[&str] = &[
    "imports/unresolved src/bad.ts ./gone",
    "imports/untracked src/bad.ts ./local-only",
    "env/undeclared src/bad.ts UNDECLARED_SECRET_NAME",
];

#[test]
fn a_fresh_clone_is_warm_from_the_remote_cache_and_finds_the_same() {
    let Some(cli) = server_cli() else { return };
    let key = [("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "team-signing-key-0123456789")];
    let server = Server::start(&cli, Some(key[0].1));
    let a = repo(SERVED, FILES);
    // Clone A: cold, computes everything and uploads it (signed).
    let (cold, cold_time, _) = check(&a.root, &server.url, &key);
    assert_eq!(cold, EXPECTED);
    let stored = server.artifacts();
    let names: Vec<&str> = stored.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.len() >= 3,
        "facts chunks and clean sets uploaded: {names:?}"
    );
    assert!(stored.iter().all(|(n, _)| n.starts_with("hookctl")));
    // Each fresh clone's first check downloads instead of parsing and finds the same; how
    // fast that is against A's warm run is measured by bench/remote-cache.sh, not asserted
    // here (a wall-clock bound in a test fails on a loaded machine, not on a slow hookctl).
    for i in 0..2 {
        let (f, _, _) = check(&a.root, &server.url, &key);
        assert_eq!(f, cold);
        let b = fresh_clone(&a, &format!("b{i}"));
        let (f, _, run) = check(&b.root, &server.url, &key);
        assert_eq!(f, cold, "{}", run.stderr);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
    assert!(server.artifacts() == stored, "a warm clone uploads nothing");
    eprintln!("cold A {cold_time:?}");
    // What it says with --verbose: every file from the remote cache, none parsed.
    let b = fresh_clone(&a, "verbose");
    let run = hookctl_remote(&b.root, &server.url, &key, &["check", "--all-findings", "-v"]);
    assert!(
        run.all().contains(&format!(
            "({} from the cache, {} from the remote cache, 0 parsed)",
            0,
            FILES + 2
        )),
        "{}",
        run.all()
    );
}

/// The chunk of facts that holds `src/bad.ts` in a snapshot of `files` source files, as
/// hookctl names it, and a forged body for it: `bad.ts` with no imports and no env reads.
/// What a run says of artifacts it ignored (one, or any number).
const ONE_IGNORED: &str = "remote cache: 1 artifact failed verification or did not parse and was ignored";
const IGNORED: &str = "failed verification or did not parse";

/// The first check of a fresh clone of `a` (folder `name`) with `env`: it finds what the cold
/// run found (`what`: the forgery or damage it met) and says it ignored an artifact (`says`).
fn fresh_check_ignores(
    a: &Repo,
    url: &str,
    env: &[(&str, &str)],
    name: &str,
    cold: &[String],
    says: &str,
    what: &str,
) {
    let b = fresh_clone(a, name);
    let (found, _, run) = check(&b.root, url, env);
    assert_eq!(found, cold, "{what}");
    assert!(run.stderr.contains(says), "{what}: {}", run.stderr);
}

fn forged_chunk(repo: &Repo, files: usize) -> (String, Vec<u8>) {
    forged_chunk_of(repo, files, hookctl::scan::Facts::default())
}

/// The facts key of `src/bad.ts` and the remote facts fingerprint of the tests' settings.
fn bad_key(repo: &Repo) -> (git2::Oid, u64) {
    let oid = repo.git(&["rev-parse", "HEAD:src/bad.ts"]).stdout;
    let oid = git2::Oid::from_str(oid.trim()).unwrap();
    let kind = hookctl::scan::FileKind::for_path("src/bad.ts").unwrap();
    let fingerprint = hookctl::cache::remote::facts_fingerprint(
        hookctl::cache::FactsCache::fingerprint(&hookctl::scan::ScanOptions::default()),
        hookctl::config::ScanConfig::DEFAULT_MAX_FILE_SIZE,
    );
    (hookctl::cache::facts_key(&oid, kind), fingerprint)
}

/// [`forged_chunk`] listing `facts` for `src/bad.ts`.
fn forged_chunk_of(repo: &Repo, files: usize, facts: hookctl::scan::Facts) -> (String, Vec<u8>) {
    use hookctl::cache::remote;
    let (key, fingerprint) = bad_key(repo);
    let bits = remote::chunk_bits(files);
    let chunk = remote::chunk_of(&key, bits);
    let body = remote::encode_chunk(fingerprint, bits, chunk, &[(key, facts)]);
    (remote::facts_hash(fingerprint, bits, chunk), body)
}

#[test]
fn a_poisoned_artifact_never_silences_a_finding() {
    let Some(cli) = server_cli() else { return };
    let key = [("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "team-signing-key-0123456789")];
    let server = Server::start(&cli, Some(key[0].1));
    let a = repo(SERVED, SMALL);
    let (cold, _, _) = check(&a.root, &server.url, &key);
    assert_eq!(cold, EXPECTED);

    // A well-formed artifact that drops bad.ts's imports and env read, put in place of the
    // real one by someone without the key (its stored tag is the real artifact's).
    let (hash, forged) = forged_chunk(&a, SMALL + 2);
    let path = server.artifact_path(&hash);
    assert!(path.is_file(), "the chunk holding bad.ts was uploaded");
    let real = std::fs::read(&path).unwrap();
    server.replace(&hash, &forged);
    server.drop_snapshot();
    fresh_check_ignores(
        &a,
        &server.url,
        &key,
        "signed",
        &cold,
        ONE_IGNORED,
        "a forged artifact silenced a finding",
    );
    // That run computed the chunk itself and shared it again, signed: the cache is healed.
    assert_eq!(std::fs::read(&path).unwrap(), real);
    // The contrast that makes the signature necessary: a client that does not verify trusts
    // the forgery (what `hookctl doctor` warns about).
    server.replace(&hash, &forged);
    server.drop_snapshot();
    let unsigned = fresh_clone(&a, "unsigned");
    let run = hookctl_remote(
        &unsigned.root,
        &server.url,
        &[],
        &["check", "--all-findings", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.json()["findings"], serde_json::json!([]));

    // Signed with another key: every artifact is refused, the run computes everything.
    std::fs::write(&path, &real).unwrap();
    let wrong = [("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "another-key")];
    let b = fresh_clone(&a, "wrong-key");
    let (found, _, run) = check(&b.root, &server.url, &wrong);
    assert_eq!(found, cold);
    assert!(run.stderr.contains("failed verification"), "{}", run.stderr);
    let v = hookctl_remote(&b.root, &server.url, &wrong, &["check", "--all-findings", "-v"]);
    assert!(!v.all().contains("remote cache, 0 parsed"), "{}", v.all());

    // Unsigned, damaged bytes in every artifact: each fails its checksum and is ignored.
    for (name, bytes) in server.stored() {
        let mut bad = bytes.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 0x20;
        std::fs::write(server.artifact_path(&name), bad).unwrap();
    }
    fresh_check_ignores(
        &a,
        &server.url,
        &[],
        "damaged",
        &cold,
        IGNORED,
        "damaged artifacts",
    );
}

/// Downloaded chunks go into the local cache whole, as they came, only when every entry was
/// screened like a parsed file's facts: a server (or whoever writes to it without the key)
/// cannot plant a secret in a clone's cache files. The forged entry is used (unsigned: what
/// `doctor` warns about) but never stored; the next run parses that file again.
#[test]
fn a_forged_chunk_never_plants_a_secret_in_the_local_cache() {
    let Some(cli) = server_cli() else { return };
    let server = Server::start(&cli, None);
    let a = repo(SERVED, SMALL);
    let (cold, _, _) = check(&a.root, &server.url, &[]);
    assert_eq!(cold, EXPECTED);
    let (middle, planted) = planted_secret();
    let (hash, forged) = forged_chunk_of(&a, SMALL + 2, planted);
    server.replace(&hash, &forged);
    server.drop_snapshot();
    let b = fresh_clone(&a, "b");
    assert_secret_not_kept(&b, &server.url, middle);
    // The next run answers from the local cache as a cold run does; the file whose entry was
    // forged has its own facts there only if this machine parsed it (the text-loaded question
    // scans every file when a check has import findings), never the planted ones.
    let (found, _, run) = check(&b.root, &server.url, &[]);
    assert_eq!(found, cold);
    assert!(!run.all().contains(middle), "{}", run.all());
}

/// A key-shaped secret's distinctive middle (built at run time: the source holds no literal that
/// secret scanners flag) and facts that carry the whole key in an import specifier: what a
/// forged artifact would try to plant in a clone's cache files.
fn planted_secret() -> (&'static str, hookctl::scan::Facts) {
    let middle = "4eC39HqLyjWDarjtT1zdp7dc";
    let planted = hookctl::scan::Facts {
        imports: vec![hookctl::scan::Import {
            specifier: format!("./vendor/sk_live_{middle}"),
            kind: hookctl::scan::ImportKind::Static,
            type_only: false,
            guarded: false,
            span: hookctl::scan::Span {
                line: 1,
                column: 1,
                start: 0,
                end: 1,
            },
        }],
        ..hookctl::scan::Facts::default()
    };
    (middle, planted)
}

/// Fresh clone `b`'s first check, unsigned, from a remote cache that holds a planted secret
/// ([`planted_secret`]'s `middle`): it used the remote cache, never printed the secret, and no
/// file of its cache folder holds it (the facts file is there).
fn assert_secret_not_kept(b: &Repo, url: &str, middle: &str) {
    let run = hookctl_remote(&b.root, url, &[], &["check", "--all-findings", "-v"]);
    assert!(!run.all().contains(middle), "{}", run.all());
    assert!(run.all().contains(" from the remote cache, "), "{}", run.all());
    let state = b.path(".git/hookctl");
    let files: Vec<PathBuf> = std::fs::read_dir(&state)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(files.iter().any(|f| f.ends_with("facts.bin")), "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            memchr::memmem::find(&bytes, middle.as_bytes()).is_none(),
            "the planted key is in {}",
            file.display()
        );
    }
}

/// The snapshot's facts downloaded whole (one artifact, read in place) are trusted no more
/// than a chunk: with the key, a forged one is refused and recomputed (then shared again,
/// healed); without it, it is what `doctor` warns about, and still never leaves a secret in
/// the local cache files (its entries are screened when they are written there).
#[test]
fn a_forged_snapshot_never_silences_a_finding_nor_plants_a_secret() {
    let Some(cli) = server_cli() else { return };
    let key = [("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "team-signing-key-0123456789")];
    let server = Server::start(&cli, Some(key[0].1));
    let a = repo(SERVED, SMALL);
    let (cold, _, _) = check(&a.root, &server.url, &key);
    assert_eq!(cold, EXPECTED);
    let name = server
        .snapshot_artifact()
        .expect("the snapshot's facts were uploaded");
    let path = server.artifact_path(&name);
    let real = std::fs::read(&path).unwrap();
    // bad.ts with no imports and no env reads, under the real artifact's name and tag.
    let (bad, fingerprint) = bad_key(&a);
    let forged = hookctl::cache::encode_file(fingerprint, &[(bad, hookctl::scan::Facts::default())]);
    server.replace(&name, &forged);
    fresh_check_ignores(
        &a,
        &server.url,
        &key,
        "signed",
        &cold,
        ONE_IGNORED,
        "a forged snapshot silenced a finding",
    );
    assert_eq!(std::fs::read(&path).unwrap(), real, "shared again, signed");
    // A planted secret: used by that run (unsigned), never written to the local cache.
    let (middle, planted) = planted_secret();
    server.replace(
        &name,
        &hookctl::cache::encode_file(fingerprint, &[(bad, planted)]),
    );
    // Without the chunks, whose bad.ts would be stored first: the other files are parsed here.
    for (name, bytes) in server.artifacts() {
        if bytes.starts_with(b"HKCRFACT") {
            std::fs::remove_file(server.artifact_path(&name)).unwrap();
        }
    }
    let b = fresh_clone(&a, "planted");
    assert_secret_not_kept(&b, &server.url, middle);
    let (found, _, run) = check(&b.root, &server.url, &[]);
    assert_eq!(found, cold);
    assert!(!run.all().contains(middle), "{}", run.all());
    // Unsigned, the forgery is trusted (the contrast that makes this test able to fail; last:
    // that run's clean sets, shared, hold bad.ts as clean).
    server.replace(&name, &forged);
    let unsigned = fresh_clone(&a, "unsigned");
    let run = hookctl_remote(
        &unsigned.root,
        &server.url,
        &[],
        &["check", "--all-findings", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.json()["findings"], serde_json::json!([]));
}

/// The pairs of `repo`'s index (its paths and blob ids), which a context bundle's sets travel
/// relative to.
fn pairs_of(repo: &Repo) -> hookctl::cache::pairs::Universe {
    let (git, paths) = hookctl::git::discover_at(&repo.root).expect("a repository");
    let snap = hookctl::snapshot::Snapshot::index(git, &paths).expect("its index");
    hookctl::checks::snapshot_pairs(&snap)
}

/// The snapshot's context bundle: its name in the server's store and its files (its sets
/// joined over `repo`'s pairs), if one was uploaded.
fn bundle_of(server: &Server, repo: &Repo) -> Option<(String, std::collections::BTreeMap<String, Vec<u8>>)> {
    server
        .artifacts()
        .into_iter()
        .find(|(_, b)| b.starts_with(b"HKCBUNDL"))
        .map(|(n, b)| {
            let files = hookctl::cache::bundle::parse_bytes(&b, Some(&pairs_of(repo)))
                .expect("the uploaded bundle parses");
            (n, files)
        })
}

/// Every local file a warm full check reads besides the facts comes in the snapshot's context
/// bundle: a fresh clone that finds only the snapshot's facts and the bundle on the server
/// computes nothing (so uploads nothing), finds what a cold run finds, and keeps each file of
/// the bundle as it came, so its next run is simply warm.
#[test]
fn a_fresh_clone_needs_only_the_snapshots_facts_and_its_context_bundle() {
    let Some(cli) = server_cli() else { return };
    let key = [("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "team-signing-key-0123456789")];
    let server = Server::start(&cli, Some(key[0].1));
    let a = repo(SERVED, SMALL);
    let (cold, _, _) = check(&a.root, &server.url, &key);
    assert_eq!(cold, EXPECTED);
    let (bundle, files) = bundle_of(&server, &a).expect("the run that computed them uploaded a bundle");
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    for set in ["clean.", "secrets-folders.", "required-folders.", "case-free."] {
        assert!(names.iter().any(|n| n.starts_with(set)), "{set} in {names:?}");
    }
    // The imports' clean set travels as one bit per file of the snapshot.
    let stored = server
        .artifacts()
        .into_iter()
        .find(|(n, _)| *n == bundle)
        .unwrap()
        .1;
    let stored = hookctl::cache::bundle::parse(&stored).unwrap();
    let clean = names.iter().find(|n| n.starts_with("clean.")).unwrap();
    assert!(
        matches!(stored[*clean], hookctl::cache::bundle::Stored::Pairs { .. }),
        "{:?}",
        stored[*clean]
    );
    // Each file is A's local file, byte for byte, under its local name.
    for (name, bytes) in &files {
        assert_eq!(
            &std::fs::read(a.path(&format!(".git/hookctl/{name}"))).unwrap(),
            bytes,
            "{name}"
        );
    }
    // Only the snapshot's facts and the bundle left on the server.
    let facts = server
        .snapshot_artifact()
        .expect("the snapshot's facts were uploaded");
    for (name, _) in server.artifacts() {
        if name != facts && name != bundle {
            std::fs::remove_file(server.artifact_path(&name)).unwrap();
        }
    }
    let stored = server.artifacts();
    assert_eq!(stored.len(), 2);
    // Saves in place (before the process ends), to look at them right after.
    let env = [key[0], ("HOOKCTL_DETACH_SAVE_BYTES", "1000000000")];
    let b = fresh_clone(&a, "b");
    let (found, _, run) = check(&b.root, &server.url, &env);
    assert_eq!(found, cold, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(
        server.artifacts() == stored,
        "it computed nothing, so uploaded nothing"
    );
    for (name, bytes) in &files {
        let kept = std::fs::read(b.path(&format!(".git/hookctl/{name}")));
        assert_eq!(kept.as_ref().ok(), Some(bytes), "{name} kept as it came");
    }
    // Warm now: the same without a server.
    let (found, _, run) = check(&b.root, "http://127.0.0.1:9", &[]);
    assert_eq!(found, cold, "{}", run.stderr);
}

/// A snapshot's facts and context bundle are named by its tree when git knows it, and a fresh
/// clone asks for HEAD's tree before it reads the index: a guess. An index that is another tree
/// (HEAD moved back by `reset --soft`) is asked for again by its own tree and is as warm,
/// computing and uploading nothing; an index with something staged (no tree yet) is named by
/// its keys and finds what a cold run finds.
#[test]
fn a_fresh_clone_whose_index_is_not_heads_tree_asks_for_its_own() {
    let Some(cli) = server_cli() else { return };
    let server = Server::start(&cli, None);
    let a = repo(SERVED, SMALL);
    a.write(
        "src/types.ts",
        "export interface Thing { id: string; n?: number }\n",
    );
    a.git(&["commit", "-qam", "two"]).ok();
    let (cold, _, _) = check(&a.root, &server.url, &[]);
    assert_eq!(cold, EXPECTED);
    let stored = server.artifacts();
    let b = fresh_clone(&a, "soft");
    b.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let run = hookctl_remote(&b.root, &server.url, &[], &["check", "--all-findings", "-v"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.all().contains(&format!(
            "(0 from the cache, {} from the remote cache, 0 parsed)",
            SMALL + 2
        )),
        "{}",
        run.all()
    );
    assert!(
        server.artifacts() == stored,
        "it computed nothing, so uploaded nothing"
    );
    let c = fresh_clone(&a, "staged");
    c.write(
        "src/types.ts",
        "export interface Thing { id: string } // staged\n",
    );
    c.git(&["add", "src/types.ts"]);
    let (found, _, run) = check(&c.root, &server.url, &[]);
    assert_eq!(found, cold, "{}", run.stderr);
}

fn bundle_of_bytes(b: &[u8], repo: &Repo) -> std::collections::BTreeMap<String, Vec<u8>> {
    hookctl::cache::bundle::parse_bytes(b, Some(&pairs_of(repo))).expect("a bundle")
}

/// A clean set that says `src/bad.ts` (with its blob) is clean, in `file`'s framing and context:
/// what a forger without the key would put in a bundle to silence its import findings.
fn clean_set_with_bad_ts(a: &Repo, file: &[u8]) -> Vec<u8> {
    const ENTRY: usize = 28;
    let frame = hookctl::cache::frame::Frame {
        magic: b"HKCCLEAN",
        format: 2,
    };
    let ctx = frame.fingerprint_of(file).expect("a clean set");
    let body = frame.body(file, ctx).expect("intact");
    let oid = a.git(&["rev-parse", "HEAD:src/bad.ts"]).stdout;
    let oid = git2::Oid::from_str(oid.trim()).unwrap();
    let mut entries: Vec<Vec<u8>> = body.chunks(ENTRY).map(<[u8]>::to_vec).collect();
    let mut bad = xxhash_rust::xxh3::xxh3_64(b"src/bad.ts").to_le_bytes().to_vec();
    bad.extend_from_slice(oid.as_bytes());
    entries.push(bad);
    entries.sort_by(|x, y| {
        let h = |e: &[u8]| u64::from_le_bytes(e[..8].try_into().unwrap());
        (h(x), &x[8..]).cmp(&(h(y), &y[8..]))
    });
    frame.encode(ctx, &entries.concat())
}

/// A bundle is a verdict: forged (a clean set that vouches for a file with findings) it would
/// silence them. Signed, a forgery is refused and recomputed; unsigned, the forgery is trusted
/// (the contrast that shows it would silence them, what `doctor` warns about); damaged, it
/// fails its checksum and is ignored.
#[test]
fn a_forged_or_damaged_context_bundle_never_silences_a_finding() {
    let Some(cli) = server_cli() else { return };
    let key = [("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "team-signing-key-0123456789")];
    let server = Server::start(&cli, Some(key[0].1));
    let a = repo(SERVED, SMALL);
    let (cold, _, _) = check(&a.root, &server.url, &key);
    assert_eq!(cold, EXPECTED);
    let (bundle, mut files) = bundle_of(&server, &a).expect("a bundle was uploaded");
    let path = server.artifact_path(&bundle);
    let real = std::fs::read(&path).unwrap();
    let clean = files
        .keys()
        .find(|n| n.starts_with("clean."))
        .cloned()
        .expect("the imports' clean set is in the bundle");
    let forged_set = clean_set_with_bad_ts(&a, &files[&clean]);
    files.insert(clean.clone(), forged_set);
    let forged = hookctl::cache::bundle::encode(&files, Some(&pairs_of(&a)));
    // In place of the real one by someone without the key (the stored tag is the real one's).
    server.replace(&bundle, &forged);
    fresh_check_ignores(
        &a,
        &server.url,
        &key,
        "signed",
        &cold,
        ONE_IGNORED,
        "a forged bundle silenced a finding",
    );
    // That run computed the bundle itself and shared it again, signed: the cache is healed.
    let (_, healed) = bundle_of(&server, &a).expect("a bundle");
    assert!(
        healed.get(&clean)
            == bundle_of_bytes(&hookctl::cache::remote::unpack(&real).unwrap(), &a).get(&clean),
        "the real clean set again"
    );
    // Unsigned, the forgery is trusted: both import findings of bad.ts are gone.
    server.replace(&bundle, &forged);
    let unsigned = fresh_clone(&a, "unsigned");
    let (found, _, run) = check(&unsigned.root, &server.url, &[]);
    assert_eq!(
        found,
        ["env/undeclared src/bad.ts UNDECLARED_SECRET_NAME"],
        "the forgery is one that silences: {}",
        run.stderr
    );
    // Damaged, unsigned: a byte of the real bundle flipped (packed again: its own checksum
    // finds it), or a byte of what is stored (zstd's checksum): ignored, the same findings.
    let body = hookctl::cache::remote::unpack(&real).unwrap();
    for at in [40, body.len() / 2, body.len() - 1] {
        let mut bad = body.clone();
        bad[at] ^= 0x20;
        server.replace(&bundle, &bad);
        let (name, what) = (format!("damaged{at}"), format!("byte {at}"));
        fresh_check_ignores(&a, &server.url, &[], &name, &cold, IGNORED, &what);
    }
    let mut bad = real.clone();
    bad[real.len() / 2] ^= 0x20;
    std::fs::write(&path, &bad).unwrap();
    fresh_check_ignores(&a, &server.url, &[], "stored", &cold, IGNORED, "a stored byte");
}

/// A fresh clone's first check writes the whole local cache (the downloaded facts and the
/// context bundle's files): with the save detached (every save here, `HOOKCTL_DETACH_SAVE_BYTES=0`; by default a
/// save of 1 MiB or more), the answer is the same, the process ends without waiting for the
/// write (the writer is held until the process is gone: no facts file then), and the files the detached writer leaves serve the next run whole, with nothing
/// parsed and nothing downloaded.
#[test]
fn a_large_save_is_written_after_the_answer_and_serves_the_next_run() {
    let Some(cli) = server_cli() else { return };
    let server = Server::start(&cli, None);
    let a = repo(SERVED, SMALL);
    let (cold, _, _) = check(&a.root, &server.url, &[]);
    assert_eq!(cold, EXPECTED);
    let detach = [("HOOKCTL_DETACH_SAVE_BYTES", "0")];
    let b = fresh_clone(&a, "b");
    // The writer waits for this file: the answer must be out and the process gone without it.
    let gate = a.root.parent().unwrap().join("gate");
    let gated = [detach[0], ("HOOKCTL_DETACH_GATE", gate.to_str().unwrap())];
    let (found, _, run) = check(&b.root, &server.url, &gated);
    assert_eq!(found, cold, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let state = b.path(".git/hookctl");
    assert!(
        !state.join("facts.bin").exists(),
        "the caller waited for the cache write"
    );
    std::fs::write(&gate, "").unwrap();
    let written = |prefix: &str| {
        std::fs::read_dir(&state).is_ok_and(|d| {
            d.flatten().any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(prefix) && n.ends_with(".bin")
            })
        })
    };
    assert!(
        wait_for(
            || ["facts.bin", "clean.", "secrets-folders.", "required-folders."]
                .iter()
                .all(|p| written(p)),
            60
        ),
        "the detached writer left the facts, the clean set and the folder verdicts"
    );
    // The next run, with the server gone: every file from the local cache, none parsed.
    drop(server);
    let run = hookctl_remote(
        &b.root,
        "http://127.0.0.1:9",
        &detach,
        &["check", "--all-findings", "-v"],
    );
    assert!(
        run.all()
            .contains(&format!("({} from the cache, 0 parsed)", SMALL + 2)),
        "{}",
        run.all()
    );
    let (found, _, _) = check(&b.root, "http://127.0.0.1:9", &detach);
    assert_eq!(found, cold);
}

#[test]
fn read_only_downloads_and_never_uploads() {
    let Some(cli) = server_cli() else { return };
    let server = Server::start(&cli, None);
    let a = repo(SERVED, SMALL);
    // The flag, the variable and the setting each keep a run from writing.
    hookctl_remote(
        &a.root,
        &server.url,
        &[],
        &["check", "--all-findings", "--remote-cache-read-only"],
    )
    .code(1);
    assert!(server.artifacts().is_empty());
    let b = fresh_clone(&a, "env");
    hookctl_remote(
        &b.root,
        &server.url,
        &[("TURBO_REMOTE_CACHE_READ_ONLY", "1")],
        &["check", "--all-findings"],
    )
    .code(1);
    assert!(server.artifacts().is_empty());
    let c = fresh_clone(&a, "setting");
    c.write(
        "hookctl.toml",
        "[cache]\nremote = \"turbo\"\nremote_write = false\n",
    );
    hookctl_remote(&c.root, &server.url, &[], &["check", "--all-findings"]).code(1);
    assert!(server.artifacts().is_empty());
    // A writer fills it; a read-only clone uses it and changes nothing.
    let d = fresh_clone(&a, "writer");
    hookctl_remote(&d.root, &server.url, &[], &["check", "--all-findings"]).code(1);
    let stored = server.artifacts();
    assert!(!stored.is_empty());
    let e = fresh_clone(&a, "reader");
    e.write("src/m7.ts", "export const value7 = 7;\n");
    e.add(&["src/m7.ts"]);
    e.git(&["commit", "-q", "--no-verify", "-m", "edit"]).ok();
    let run = hookctl_remote(
        &e.root,
        &server.url,
        &[],
        &["check", "--all-findings", "-v", "--remote-cache-read-only"],
    );
    assert!(
        run.all().contains("from the remote cache, 1 parsed"),
        "{}",
        run.all()
    );
    assert!(server.artifacts() == stored, "a read-only run uploaded");
}

/// A proxy in front of `to` that holds back every `PUT` for `delay` before passing it on: a
/// self-hosted server that answers uploads late, as one on a loaded CI runner does.
fn slow_uploads(to: &str, delay: Duration) -> String {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = to.trim_start_matches("http://").to_string();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let Ok(server) = std::net::TcpStream::connect(&upstream) else {
                    return;
                };
                let (mut answers, mut to_client) = (server.try_clone().unwrap(), client.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut answers, &mut to_client);
                    let _ = to_client.shutdown(std::net::Shutdown::Write);
                });
                let (mut asks, mut to_server) = (client, server);
                let mut buf = vec![0; 64 << 10];
                while let Ok(n @ 1..) = asks.read(&mut buf) {
                    if buf[..n].starts_with(b"PUT ") {
                        std::thread::sleep(delay);
                    }
                    if to_server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to_server.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    url
}

/// Source files for several facts chunks (~512 files a chunk).
const CHUNKED: usize = 1100;

/// The 100k-row anomaly: a writer's uploads answered later than `remote_timeout` (a busy
/// server, not a dead one) were all dropped after the first, and every fresh clone parsed and
/// resolved what was missing. A server that answered is given the transfer bound: every chunk
/// and both clean sets arrive, and a fresh clone parses nothing, resolves nothing (it uploads
/// nothing back) and finds what a cold run finds.
#[test]
fn a_busy_server_gets_every_upload_and_a_fresh_clone_parses_nothing() {
    let Some(cli) = server_cli() else { return };
    let server = Server::start(&cli, None);
    let url = slow_uploads(&server.url, Duration::from_secs(4));
    let a = repo("remote = \"turbo\"\nremote_timeout = \"3s\"", CHUNKED);
    let (cold, _, run) = check(&a.root, &url, &[]);
    assert_eq!(cold, EXPECTED, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let stored = server.artifacts();
    let chunks = 1 << hookctl::cache::remote::chunk_bits(CHUNKED + 2);
    assert!(chunks > 1);
    assert_eq!(
        stored.len(),
        chunks + 4,
        "every facts chunk, the snapshot's facts, both clean sets and the context bundle"
    );
    let b = fresh_clone(&a, "b");
    let run = hookctl_remote(&b.root, &url, &[], &["check", "--all-findings", "-v"]);
    let scanned = run
        .all()
        .lines()
        .find(|l| l.contains("scanned:"))
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        scanned,
        format!(
            "scanned: {} source files (0 from the cache, {} from the remote cache, 0 parsed)",
            CHUNKED + 2,
            CHUNKED + 2
        ),
        "{}",
        run.all()
    );
    assert!(
        server.artifacts() == stored,
        "the fresh clone lacked something and uploaded it"
    );
    let (found, _, _) = check(&b.root, &url, &[]);
    assert_eq!(found, cold);
}

/// A server that accepts connections and never answers; counts them.
fn silent_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(s);
        }
    });
    (url, count)
}

#[test]
fn a_dead_server_costs_one_short_timeout_and_a_commit_never_goes_to_the_network() {
    let a = repo("remote = \"turbo\"\nremote_timeout = \"200ms\"", SMALL);
    let (url, connections) = silent_server();
    let (found, _, run) = check(&a.root, &url, &[]);
    assert_eq!(found, EXPECTED);
    // One short timeout, not one per file: the first wave of requests (one per worker) times
    // out, the remote is marked down, said once, and never asked again in this run. Counted in
    // connections and notes, not in wall-clock time (which a loaded machine stretches).
    let notes = run.stderr.matches("did not answer").count();
    assert_eq!(notes, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("this run used the local cache only"),
        "{}",
        run.stderr
    );
    let first_wave = connections.load(std::sync::atomic::Ordering::SeqCst);
    assert!((1..=8).contains(&first_wave), "{first_wave} connections");
    // A commit of a few files: the local cache misses them, not enough for a round trip.
    let b = fresh_clone(&a, "commit");
    b.install_shim("pre-commit");
    b.write("src/new.ts", "export const n = 1;\n");
    let before = connections.load(std::sync::atomic::Ordering::SeqCst);
    let mut c = crate::common::git_cmd(&b.root);
    c.args(["commit", "-q", "-am", "x"])
        .env("TURBO_API", &url)
        .env("TURBO_TOKEN", TOKEN)
        .env("TURBO_TEAM", TEAM);
    b.git(&["add", "src/new.ts"]).ok();
    Run::from_output(c.output().unwrap()).ok();
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), before);
}

#[test]
fn doctor_says_where_verdicts_are_shared_and_warns_while_unsigned() {
    let r = Repo::new();
    r.write("hookctl.toml", "[cache]\nremote = \"turbo\"\n");
    r.commit_all("config");
    r.hookctl(&["install"]).ok();
    let doctor = |env: &[(&str, &str)], extra: &[&str]| {
        let mut c = Command::new(BIN);
        c.current_dir(&r.root).arg("doctor").args(extra);
        for v in [
            "TURBO_API",
            "TURBO_TOKEN",
            "TURBO_TEAM",
            "TURBO_TEAMID",
            "TURBO_REMOTE_CACHE_SIGNATURE_KEY",
            "TURBO_REMOTE_CACHE_READ_ONLY",
            "GIT_DIR",
            "GIT_INDEX_FILE",
            "HOOKCTL",
        ] {
            c.env_remove(v);
        }
        c.env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("PATH", "/usr/bin:/bin");
        for (k, v) in env {
            c.env(k, v);
        }
        run_with_stdin(c, None)
    };
    // What users see, with this build's path as `[BIN]`.
    let shown = |run: &Run| {
        crate::common::scrub(
            &r,
            &format!(
                "exit_code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}",
                run.code, run.stdout, run.stderr
            ),
        )
    };
    let no_token = doctor(&[], &[]);
    snapshot!(r, "remote_cache_doctor_no_token", shown(&no_token));
    let unsigned = doctor(
        &[
            ("TURBO_TOKEN", "t0ken-never-shown"),
            ("TURBO_API", "https://cache.example.com/"),
            ("TURBO_TEAM", "web"),
        ],
        &[],
    );
    snapshot!(r, "remote_cache_doctor_unsigned", shown(&unsigned));
    let signed = doctor(
        &[
            ("TURBO_TOKEN", "t0ken-never-shown"),
            ("TURBO_TEAMID", "team_abc"),
            ("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "k3y-never-shown"),
        ],
        &["--remote-cache-read-only"],
    );
    snapshot!(r, "remote_cache_doctor_signed_read_only", shown(&signed));
    for run in [&no_token, &unsigned, &signed] {
        assert!(!run.all().contains("never-shown"), "{}", run.all());
    }
}
