//! The team's shared verdict cache over the Turborepo Remote Cache API (`[cache] remote =
//! "turbo"`): a fresh clone or a CI runner downloads what another machine already computed for
//! the same blobs instead of parsing and resolving everything again.
//!
//! What is shared is what the local cache holds, keyed by content:
//! - per-blob facts ([`super::FactsCache`] entries, keyed by blob id + file kind), in chunks: the
//!   key space is cut into `2^bits` ranges by the keys' leading bits (`bits` from the number of
//!   source files, ~512 files a chunk), and a chunk is named by its range and the facts
//!   fingerprint (extractor version, options, file size limit). A chunk holds whatever facts the
//!   last writer had for keys of its range; each entry is a pure function of its key, so any
//!   writer's chunk is right for what it lists, and a clone a few commits away still finds all
//!   but its changed files.
//! - a snapshot's facts, whole ([`Remote::fetch_snapshot`]): a facts file of the local cache's
//!   layout holding the entries of every key of the snapshot, named by the snapshot's tree when
//!   git knows it ([`snapshot_tree_hash`]: a checkout's index is HEAD's tree, so a fresh clone
//!   asks for it before reading the index), else by the sorted keys. A clone with no local
//!   cache downloads it with one request and reads it in place; its entries are screened when
//!   they are written to the local file, after the answer.
//! - the clean sets ([`crate::resolve::clean`]), named by their file and context hash: the same
//!   context means the same verdicts.
//!
//! Each artifact's hash is derived from those names (`hookctl` + 32 hex digits: never one of
//! turbo's own 16-hex-digit task hashes) and moved with `GET`/`PUT /v8/artifacts/:hash` and the
//! bearer token, the team as turbo sends it (`teamId` when `TURBO_TEAMID` starts with `team_`,
//! `slug` from `TURBO_TEAM`).
//!
//! Never trusted: with `TURBO_REMOTE_CACHE_SIGNATURE_KEY` set, every upload carries turbo's
//! `x-artifact-tag` (base64 HMAC-SHA256 over the hash, the team id and the body) and every
//! download must carry a valid one. An artifact that fails verification, does not parse (the
//! cache folder's framing: magic, format, fingerprint, checksum; then its own layout, every
//! entry decoded) or was computed for another fingerprint is ignored, and what it would have
//! answered is computed here. Without a key the checks catch damage, not a writer who means
//! harm: `hookctl doctor` says artifacts are unsigned.
//!
//! Never slower than without it: the network is used only when the local cache misses more
//! than `remote_min_misses` files; until the server has answered once, every request is bounded
//! by `remote_timeout` to connect and answer, and the first failure marks the server down for
//! the rest of the run, which goes on locally (a dead server costs one timeout). A server that
//! answered is alive: it is given the transfer bound (`TRANSFER_FACTOR` timeouts) to answer
//! later requests, and a request that still times out fails alone (a busy server must not
//! leave a writer's uploads half done, or a reader parsing what was there to download).
//! Downloads run on their own threads while the scan parses what they do not hold, and each
//! chunk is screened there: one whose every entry decodes and holds no secret goes into the
//! local cache whole ([`FactsFetch::keep_in`]). Uploads run in the background, [`UPLOADS`] at
//! once, and are waited for (bounded) at the end of the run.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use base64::Engine;
use git2::Oid;
use hmac::{KeyInit, Mac};

use super::frame::Frame;
use crate::config::{CacheConfig, RemoteCache};
use crate::env_vars;
use crate::scan::Facts;

/// turbo's default API when `TURBO_API` is unset (Vercel's remote cache).
pub const DEFAULT_API: &str = "https://vercel.com/api";
/// Every artifact hash starts with this (turbo's own are hex digits only).
pub const HASH_PREFIX: &str = "hookctl";
/// Facts chunks: bump `format` when the body's layout changes.
const FACTS_FRAME: Frame = Frame {
    magic: b"HKCRFACT",
    format: 1,
};
/// Files per facts chunk aimed at.
const CHUNK_FILES: usize = 512;
/// Most leading bits a chunk is named by (4096 chunks: 2M files at 512 a chunk).
const MAX_BITS: u32 = 12;
/// The largest artifact read.
const MAX_ARTIFACT: u64 = 64 << 20;
/// Downloads at once.
const PARALLEL: usize = 8;
/// Uploads at once (a run may have hundreds to send; a self-hosted server shares the CI
/// runner's CPUs and answers them no faster all at once).
const UPLOADS: usize = 4;
/// A whole transfer may take this many `remote_timeout`s (the server answered in time).
const TRANSFER_FACTOR: u32 = 25;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Where the remote cache is and how to talk to it, from `[cache]` and turbo's variables.
#[derive(Clone)]
pub struct Settings {
    pub api: String,
    token: String,
    pub team_id: Option<String>,
    pub team_slug: Option<String>,
    key: Option<Vec<u8>>,
    pub write: bool,
    pub min_misses: usize,
    pub timeout: Duration,
}

impl std::fmt::Debug for Settings {
    // Never the token or the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("api", &self.api)
            .field("team_id", &self.team_id)
            .field("team_slug", &self.team_slug)
            .field("signed", &self.key.is_some())
            .field("write", &self.write)
            .finish_non_exhaustive()
    }
}

/// Why the remote cache is not used although configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Off {
    /// `[cache] remote` is not set.
    NotConfigured,
    /// Configured, but something it needs is missing or invalid.
    Unusable(String),
}

impl Settings {
    /// The settings of `[cache]` with turbo's variables, or why the remote cache is off.
    pub fn resolve(cfg: &CacheConfig) -> Result<Settings, Off> {
        let Some(RemoteCache::Turbo) = cfg.remote else {
            return Err(Off::NotConfigured);
        };
        let set = |name: &str| env_vars::get(name).filter(|v| !v.trim().is_empty());
        let token = set(env_vars::TURBO_TOKEN).ok_or_else(|| {
            Off::Unusable("TURBO_TOKEN is not set: checks use the local cache only".to_string())
        })?;
        let api = set(env_vars::TURBO_API).unwrap_or_else(|| DEFAULT_API.to_string());
        let api = api.trim().trim_end_matches('/').to_string();
        if !(api.starts_with("https://") || api.starts_with("http://")) {
            return Err(Off::Unusable(format!(
                "TURBO_API=`{api}` is not an http(s) URL: checks use the local cache only"
            )));
        }
        let read_only = env_vars::get(env_vars::TURBO_REMOTE_CACHE_READ_ONLY)
            .is_some_and(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "True" | "yes"));
        Ok(Settings {
            api,
            token,
            team_id: set(env_vars::TURBO_TEAMID),
            team_slug: set(env_vars::TURBO_TEAM),
            key: env_vars::get_os(env_vars::TURBO_REMOTE_CACHE_SIGNATURE_KEY)
                .filter(|k| !k.is_empty())
                .map(std::ffi::OsString::into_encoded_bytes),
            write: cfg.remote_write() && !read_only,
            min_misses: cfg.remote_min_misses(),
            timeout: cfg.remote_timeout(),
        })
    }

    /// Artifacts are signed and verified.
    pub fn signed(&self) -> bool {
        self.key.is_some()
    }

    /// turbo's `x-artifact-tag`: base64 (standard, padded) of HMAC-SHA256 keyed with the
    /// signature key over the artifact hash, the team id (`TURBO_TEAMID`, empty when unset) and
    /// the body.
    fn tag(&self, hash: &str, body: &[u8]) -> Option<String> {
        let mut mac = self.mac(hash)?;
        mac.update(body);
        Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// Whether `tag` is this key's tag of `body` under `hash`.
    #[cfg(test)]
    fn verify(&self, hash: &str, body: &[u8], tag: Option<&str>) -> bool {
        self.mac(hash).is_some_and(|mut mac| {
            mac.update(body);
            tag_matches(mac, tag)
        })
    }

    /// The MAC of an artifact under `hash`, its body still to be fed.
    fn mac(&self, hash: &str) -> Option<HmacSha256> {
        let key = self.key.as_deref()?;
        let mut mac = HmacSha256::new_from_slice(key).ok()?;
        mac.update(hash.as_bytes());
        mac.update(self.team_id.as_deref().unwrap_or_default().as_bytes());
        Some(mac)
    }
}

/// Whether `tag` is the tag `mac` (fed the whole body) makes (constant-time comparison).
fn tag_matches(mac: HmacSha256, tag: Option<&str>) -> bool {
    let Some(tag) = tag else {
        return false;
    };
    base64::engine::general_purpose::STANDARD
        .decode(tag.trim())
        .is_ok_and(|t| mac.verify_slice(&t).is_ok())
}

/// A handle on the remote cache for one run (cheap to clone).
#[derive(Clone)]
pub struct Remote(Arc<Inner>);

struct Inner {
    settings: Settings,
    agent: ureq::Agent,
    down: AtomicBool,
    /// The server has answered a request this run (with any status).
    alive: AtomicBool,
    downloaded: AtomicUsize,
    uploaded: AtomicUsize,
    rejected: AtomicUsize,
    notes: Mutex<Vec<String>>,
    /// Uploads not started yet, and the threads sending them.
    queue: Mutex<Vec<(String, Vec<u8>)>>,
    uploads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// Downloads started before they are needed ([`Remote::prefetch`]), by artifact hash.
    prefetched: Mutex<HashMap<String, std::thread::JoinHandle<Fetched>>>,
    /// A snapshot's facts asked for before the scan ([`Remote::prefetch_snapshot`]): the
    /// tree it was asked for by (when it was), and the download (its artifact's hash and what
    /// came).
    early: Mutex<Option<EarlySnapshot>>,
}

/// A snapshot's facts being downloaded: the tree they were named by (when they were), and
/// the thread.
struct EarlySnapshot {
    tree: Option<Oid>,
    download: std::thread::JoinHandle<Option<Early>>,
}

/// A snapshot's artifact hash, and what the download gave.
pub type Early = (String, Fetched);

/// What a `GET` gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    Body(Vec<u8>),
    /// Not in the cache (or the server is down: nothing to use either way).
    Missing,
    /// There, but not verified: ignored.
    Rejected,
}

impl Remote {
    /// The remote cache `[cache]` configures, when it is usable.
    pub fn from_config(cfg: &CacheConfig) -> Option<Remote> {
        Settings::resolve(cfg).ok().map(Remote::new)
    }

    pub fn new(settings: Settings) -> Remote {
        let t = settings.timeout;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_resolve(Some(t))
            .timeout_connect(Some(t))
            .timeout_send_request(Some(t))
            .timeout_recv_response(Some(t))
            .timeout_global(Some(t * TRANSFER_FACTOR))
            .http_status_as_error(false)
            .user_agent(format!("hookctl/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Remote(Arc::new(Inner {
            settings,
            agent,
            down: AtomicBool::new(false),
            alive: AtomicBool::new(false),
            downloaded: AtomicUsize::new(0),
            uploaded: AtomicUsize::new(0),
            rejected: AtomicUsize::new(0),
            notes: Mutex::new(Vec::new()),
            queue: Mutex::new(Vec::new()),
            uploads: Mutex::new(Vec::new()),
            prefetched: Mutex::new(HashMap::new()),
            early: Mutex::new(None),
        }))
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// Worth going to the network for `misses` files the local cache does not hold.
    pub fn worth_it(&self, misses: usize) -> bool {
        misses > self.0.settings.min_misses && !self.is_down()
    }

    /// This run uploads what it computed.
    pub fn writes(&self) -> bool {
        self.0.settings.write && !self.is_down()
    }

    pub fn is_down(&self) -> bool {
        self.0.down.load(Ordering::Relaxed)
    }

    fn note(&self, text: String) {
        let mut notes = self
            .0
            .notes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    /// A request failed: the server is down for the rest of the run, unless it answered
    /// before and this was a timeout (a busy server, not a dead one: that request alone is
    /// lost, said once at the end).
    fn went_down(&self, why: ureq::Error) {
        if self.0.alive.load(Ordering::Relaxed) && matches!(why, ureq::Error::Timeout(_)) {
            self.note(format!(
                "remote cache at {} was slow to answer ({why}): some artifacts were not moved this run",
                self.0.settings.api
            ));
            return;
        }
        self.mark_down(why);
    }

    /// No more requests this run.
    fn mark_down(&self, why: impl std::fmt::Display) {
        if !self.0.down.swap(true, Ordering::Relaxed) {
            self.note(format!(
                "remote cache at {} did not answer ({why}): this run used the local cache only",
                self.0.settings.api
            ));
        }
    }

    fn url(&self, hash: &str) -> String {
        format!("{}/v8/artifacts/{hash}", self.0.settings.api)
    }

    /// The server answered: from now on it is given the transfer bound to answer.
    fn answered(&self) {
        self.0.alive.store(true, Ordering::Relaxed);
    }

    fn request<B>(&self, mut req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let s = &self.0.settings;
        if self.0.alive.load(Ordering::Relaxed) {
            let transfer = Some(s.timeout * TRANSFER_FACTOR);
            req = req
                .config()
                .timeout_send_request(transfer)
                .timeout_recv_response(transfer)
                .build();
        }
        if let Some(id) = s.team_id.as_deref().filter(|id| id.starts_with("team_")) {
            req = req.query("teamId", id);
        }
        if let Some(slug) = &s.team_slug {
            req = req.query("slug", slug);
        }
        req.header("Authorization", format!("Bearer {}", s.token))
    }

    /// Download an artifact, verified when a key is set.
    pub fn get(&self, hash: &str) -> Fetched {
        if self.is_down() {
            return Fetched::Missing;
        }
        let resp = self.request(self.0.agent.get(&self.url(hash))).call();
        let mut resp = match resp {
            Ok(r) => r,
            Err(e) => {
                self.went_down(e);
                return Fetched::Missing;
            }
        };
        self.answered();
        match resp.status().as_u16() {
            200 => {}
            404 => return Fetched::Missing,
            401 | 403 => {
                self.mark_down(format!("HTTP {}: is TURBO_TOKEN right?", resp.status()));
                return Fetched::Missing;
            }
            other => {
                self.note(format!(
                    "remote cache at {} answered HTTP {other}",
                    self.0.settings.api
                ));
                return Fetched::Missing;
            }
        }
        let tag = resp
            .headers()
            .get("x-artifact-tag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut wire = Wire {
            inner: resp.body_mut().with_config().limit(MAX_ARTIFACT).reader(),
            mac: self.0.settings.mac(hash),
            failed: None,
        };
        // Unpacked as it arrives (the transfer is the wait), the stored bytes fed to the MAC.
        let body = unpack_from(&mut wire);
        if let Some(e) = wire.failed {
            self.went_down(e.into());
            return Fetched::Missing;
        }
        if self.0.settings.signed() && !wire.mac.is_some_and(|mac| tag_matches(mac, tag.as_deref())) {
            return self.rejected();
        }
        let Some(body) = body else {
            return self.rejected();
        };
        self.0.downloaded.fetch_add(1, Ordering::Relaxed);
        Fetched::Body(body)
    }

    /// Start downloading `hash` on its own thread; the next [`Remote::get_prefetched`] of it
    /// waits for that download instead of starting another (each bounded as `get` is).
    pub fn prefetch(&self, hash: String) {
        if self.is_down() {
            return;
        }
        let me = self.clone();
        let wanted = hash.clone();
        let handle = std::thread::spawn(move || me.get(&wanted));
        self.0
            .prefetched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(hash, handle);
    }

    /// [`Remote::get`], from the download [`Remote::prefetch`] started when there is one.
    pub fn get_prefetched(&self, hash: &str) -> Fetched {
        let pending = self
            .0
            .prefetched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(hash);
        match pending {
            Some(handle) => handle.join().unwrap_or(Fetched::Missing),
            None => self.get(hash),
        }
    }

    /// An artifact that did not verify or parse: counted, said once at the end.
    pub(crate) fn rejected(&self) -> Fetched {
        self.0.rejected.fetch_add(1, Ordering::Relaxed);
        Fetched::Rejected
    }

    /// Upload an artifact, signed when a key is set (synchronously).
    pub fn put(&self, hash: &str, body: &[u8]) -> bool {
        if !self.writes() {
            return false;
        }
        let mut req = self
            .request(self.0.agent.put(&self.url(hash)))
            .header("Content-Type", "application/octet-stream");
        let stored = pack(body);
        if let Some(tag) = self.0.settings.tag(hash, &stored) {
            req = req.header("x-artifact-tag", tag);
        }
        let sent = req.send(&stored[..]);
        if sent.is_ok() {
            self.answered();
        }
        match sent {
            Ok(r) if r.status().is_success() => {
                self.0.uploaded.fetch_add(1, Ordering::Relaxed);
                true
            }
            Ok(r) => {
                self.note(format!(
                    "remote cache at {} refused an upload (HTTP {})",
                    self.0.settings.api,
                    r.status()
                ));
                false
            }
            Err(e) => {
                self.went_down(e);
                false
            }
        }
    }

    /// Upload in the background ([`UPLOADS`] at once); [`Remote::finish`] waits for it.
    pub fn put_later(&self, hash: String, body: Vec<u8>) {
        if !self.writes() {
            return;
        }
        self.0
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((hash, body));
        let mut uploads = self
            .0
            .uploads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        uploads.retain(|u| !u.is_finished());
        if uploads.len() < UPLOADS {
            let me = self.clone();
            uploads.push(std::thread::spawn(move || {
                loop {
                    let next =
                        me.0.queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .pop();
                    let Some((hash, body)) = next else { break };
                    me.put(&hash, &body);
                }
            }));
        }
    }

    /// Wait for the uploads (each bounded by the transfer timeout) and return what the user
    /// should know: the server was down, artifacts were ignored.
    pub fn finish(&self) -> Vec<String> {
        let uploads = std::mem::take(
            &mut *self
                .0
                .uploads
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for u in uploads {
            let _ = u.join();
        }
        // A thread that had just found the queue empty when the last upload was queued: send
        // what it left here.
        loop {
            let next = self
                .0
                .queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop();
            let Some((hash, body)) = next else { break };
            self.put(&hash, &body);
        }
        let mut notes = std::mem::take(
            &mut *self
                .0
                .notes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let rejected = self.0.rejected.load(Ordering::Relaxed);
        if rejected > 0 {
            notes.push(format!(
                "remote cache: {rejected} artifact{} failed verification or did not parse and {} ignored (recomputed here)",
                if rejected == 1 { "" } else { "s" },
                if rejected == 1 { "was" } else { "were" },
            ));
        }
        notes
    }

    /// (downloaded, uploaded, rejected) so far.
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.0.downloaded.load(Ordering::Relaxed),
            self.0.uploaded.load(Ordering::Relaxed),
            self.0.rejected.load(Ordering::Relaxed),
        )
    }

    // ---- clean sets ---------------------------------------------------------------------

    /// A clean set's file as another machine stored it for context `ctx`, through `parse` (the
    /// set's own); `None` when absent, unverified or invalid (then counted as rejected).
    pub fn get_clean<T>(&self, name: &str, ctx: u64, parse: impl FnOnce(Vec<u8>) -> Option<T>) -> Option<T> {
        match self.get_prefetched(&clean_hash(name, ctx)) {
            Fetched::Body(b) => {
                let parsed = parse(b);
                if parsed.is_none() {
                    self.rejected();
                }
                parsed
            }
            Fetched::Missing | Fetched::Rejected => None,
        }
    }

    /// Start downloading a clean set's file now (before the scan), for a later
    /// [`Remote::get_clean`].
    pub fn prefetch_clean(&self, name: &str, ctx: u64) {
        self.prefetch(clean_hash(name, ctx));
    }

    /// Share a clean set's file (in the background).
    pub fn put_clean(&self, name: &str, ctx: u64, file: Vec<u8>) {
        self.put_later(clean_hash(name, ctx), file);
    }

    // ---- a snapshot's facts, whole ----------------------------------------------------------

    /// Download the facts file of a snapshot ([`snapshot_hash`]) and hand it to `cache`, to be
    /// read in place after the local files; `false` when it is absent, unverified or does not
    /// parse (then counted as rejected). Its framing, head and sums are checked here; each
    /// 64 KiB of it when first read, as the local file's (an entry in a damaged part is a
    /// miss).
    pub fn fetch_snapshot(&self, cache: &super::FactsCache, got: Fetched, fingerprint: u64) -> bool {
        let Fetched::Body(b) = got else {
            return false;
        };
        let Some(file) = super::Loaded::parse(super::Bytes::Mem(b), fingerprint) else {
            self.rejected();
            return false;
        };
        cache.add_snapshot(file);
        true
    }

    /// On a thread: name a snapshot's facts (`name`: its artifact hash, or `None`) and
    /// download them, while the caller sets up what the scan needs. `tree`: the tree the
    /// snapshot is taken to be, when the name is [`snapshot_tree_hash`]'s (asked for before
    /// the snapshot was read: [`Remote::snapshot_asked_for`] tells the caller to confirm it).
    pub fn prefetch_snapshot(
        &self,
        tree: Option<Oid>,
        name: impl FnOnce() -> Option<String> + Send + 'static,
    ) {
        if self.is_down() {
            return;
        }
        let me = self.clone();
        let handle = std::thread::spawn(move || {
            let hash = name()?;
            let t0 = crate::timings::Mark::now();
            let got = me.get(&hash);
            crate::timings::report("snapshot facts downloaded (download thread)", &t0);
            Some((hash, got))
        });
        *self.early() = Some(EarlySnapshot {
            tree,
            download: handle,
        });
    }

    fn early(&self) -> std::sync::MutexGuard<'_, Option<EarlySnapshot>> {
        self.0
            .early
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a snapshot's facts are being downloaded, and for which tree when that is what
    /// named them.
    pub fn snapshot_asked_for(&self) -> Option<Option<Oid>> {
        self.early().as_ref().map(|e| e.tree)
    }

    /// Forget the snapshot's facts asked for (they were asked for another tree than the
    /// snapshot's): the download goes on to its end on its own thread, unread.
    pub fn forget_snapshot(&self) {
        self.early().take();
    }

    /// What [`Remote::prefetch_snapshot`] named and downloaded, waiting for it.
    pub fn take_snapshot(&self) -> Option<Early> {
        let early = self.early().take()?;
        early.download.join().ok().flatten()
    }

    // ---- a snapshot's context bundle --------------------------------------------------------

    /// Download the context bundle named `hash` ([`bundle_hash`]): its files, or `None` when it
    /// is absent, unverified or does not parse (then counted as rejected).
    pub fn fetch_bundle(&self, hash: &str) -> super::bundle::Arrival {
        let Fetched::Body(b) = self.get(hash) else {
            return None;
        };
        let files = super::bundle::parse(&b);
        if files.is_none() {
            self.rejected();
        }
        files
    }

    // ---- facts ----------------------------------------------------------------------------

    /// Start downloading the facts chunks that hold `missing` (keys the local cache lacks),
    /// when there are enough of them; `total` is the number of distinct keys of the whole
    /// snapshot (it decides how the key space is cut).
    pub fn fetch_facts(&self, fingerprint: u64, total: usize, missing: &[Oid]) -> Option<FactsFetch> {
        if !self.worth_it(missing.len()) {
            return None;
        }
        let bits = chunk_bits(total);
        let mut wanted: Vec<u32> = missing.iter().map(|k| chunk_of(k, bits)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let slots: Vec<Slot> = (0..1usize << bits).map(|_| Slot::default()).collect();
        for &c in &wanted {
            *slots[c as usize]
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = State::Pending;
        }
        let fetch = FactsFetch {
            remote: self.clone(),
            fingerprint,
            bits,
            slots: Arc::new(slots),
            parsed: (0..1usize << bits).map(|_| AtomicBool::new(false)).collect(),
        };
        let queue = Arc::new(Mutex::new(wanted));
        for _ in 0..PARALLEL.min(queue.lock().map_or(0, |q| q.len())) {
            let (queue, slots, remote) = (queue.clone(), fetch.slots.clone(), self.clone());
            std::thread::spawn(move || {
                loop {
                    let next = queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .pop();
                    let Some(chunk) = next else { break };
                    let got = match remote.get(&facts_hash(fingerprint, bits, chunk)) {
                        Fetched::Body(b) => {
                            let parsed = parse_chunk(b, fingerprint, bits, chunk);
                            if parsed.is_none() {
                                remote.rejected();
                            }
                            // Screened here, while the scan parses what no chunk holds.
                            parsed.map(Chunk::screened)
                        }
                        Fetched::Missing | Fetched::Rejected => None,
                    };
                    let slot = &slots[chunk as usize];
                    *slot
                        .state
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = State::Done(got);
                    slot.ready.notify_all();
                }
            });
        }
        Some(fetch)
    }
}

/// The remote facts of one run: chunks arriving on their own threads.
pub struct FactsFetch {
    remote: Remote,
    fingerprint: u64,
    bits: u32,
    slots: Arc<Vec<Slot>>,
    /// Per chunk: this run parsed a file of it (so the chunk is uploaded).
    parsed: Vec<AtomicBool>,
}

#[derive(Default)]
struct Slot {
    state: Mutex<State>,
    ready: Condvar,
}

#[derive(Default)]
enum State {
    /// Not asked for.
    #[default]
    Idle,
    Pending,
    /// Arrived and verified, or `None`: missing, rejected, or the server is down.
    Done(Option<Chunk>),
}

impl FactsFetch {
    /// The facts another machine computed for `key`, waiting for its chunk to arrive (each
    /// download is bounded by the remote's timeouts), the imports decoded only when `wants`
    /// asks for them (as [`super::FactsCache::get_lazy`]). A clean chunk's entries go into
    /// `cache` with the whole chunk ([`FactsFetch::keep_in`]); another's, one at a time, each
    /// screened. An entry that does not decode is a miss (counted as rejected): the file is
    /// parsed here.
    pub fn take(
        &self,
        key: &Oid,
        cache: &super::FactsCache,
        wants: super::WantsImports<'_>,
    ) -> Option<Facts> {
        let slot = &self.slots[chunk_of(key, self.bits) as usize];
        let mut state = slot
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while matches!(*state, State::Pending) {
            state = slot
                .ready
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        let State::Done(Some(chunk)) = &*state else {
            return None;
        };
        let raw = chunk.raw(key)?;
        if chunk.clean {
            // Every entry decoded when the chunk was screened.
            return super::decode_facts_with(raw, wants).map(|(facts, _)| facts);
        }
        let Some(facts) = super::decode_facts(raw) else {
            self.remote.rejected();
            return None;
        };
        cache.insert_encoded(*key, &facts, raw.to_vec());
        Some(facts)
    }

    /// Hand the clean chunks that arrived to `cache`, to be stored as they came (after the
    /// scan: no more [`FactsFetch::take`]).
    pub fn keep_in(&self, cache: &super::FactsCache) {
        for slot in self.slots.iter() {
            let mut state = slot
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if matches!(&*state, State::Done(Some(c)) if c.clean)
                && let State::Done(Some(chunk)) = std::mem::replace(&mut *state, State::Done(None))
            {
                cache.keep_fetched(chunk);
            }
        }
    }

    /// This run parsed `key` itself: its chunk is worth uploading.
    pub fn parsed(&self, key: &Oid) {
        self.parsed[chunk_of(key, self.bits) as usize].store(true, Ordering::Relaxed);
    }

    /// Upload (in the background) every chunk this run parsed files of, with what the local
    /// cache now holds for the snapshot's keys of it (`all`: every key of the snapshot).
    pub fn share(self, cache: &super::FactsCache, all: &[Oid]) {
        if !self.remote.writes() {
            return;
        }
        let mut by_chunk: HashMap<u32, Vec<Oid>> = HashMap::new();
        for k in all {
            let c = chunk_of(k, self.bits);
            if self.parsed[c as usize].load(Ordering::Relaxed) {
                by_chunk.entry(c).or_default().push(*k);
            }
        }
        for (chunk, mut keys) in by_chunk {
            keys.sort_unstable();
            keys.dedup();
            let entries: Vec<(Oid, Facts)> = keys
                .into_iter()
                .filter_map(|k| cache.get(&k).map(|f| (k, f)))
                .collect();
            let body = encode_chunk(self.fingerprint, self.bits, chunk, &entries);
            self.remote
                .put_later(facts_hash(self.fingerprint, self.bits, chunk), body);
        }
    }
}

/// Leading bits that name a chunk for a snapshot of `total` keys: ~[`CHUNK_FILES`] a chunk.
pub fn chunk_bits(total: usize) -> u32 {
    let chunks = (total / CHUNK_FILES).max(1);
    (usize::BITS - 1 - chunks.leading_zeros()).min(MAX_BITS)
}

/// The chunk of `key` when the key space is cut by its `bits` leading bits.
pub fn chunk_of(key: &Oid, bits: u32) -> u32 {
    chunk_of_bytes(key.as_bytes(), bits)
}

fn chunk_of_bytes(b: &[u8], bits: u32) -> u32 {
    if bits == 0 {
        return 0;
    }
    let lead = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    lead >> (32 - bits)
}

/// `hookctl` + 32 hex digits of what names the artifact. The seed names the stored form
/// ([`pack`]'s): artifacts of another form live under other names, never misread.
fn artifact_hash(what: &[u8]) -> String {
    format!(
        "{HASH_PREFIX}{:032x}",
        xxhash_rust::xxh3::xxh3_128_with_seed(what, 0x686f_6f6b_6374_6c01)
    )
}

/// zstd's level for uploads (its default; turbo stores its own artifacts as zstd too).
const PACK_LEVEL: i32 = 3;

/// What is stored for an artifact's `body`: one zstd frame. A snapshot's facts shrink to
/// less than half (20.3 MB to 8.8 MB at 100k files): less to move for the server and the
/// network, and unpacked as they arrive (1.4 GB/s).
pub fn pack(body: &[u8]) -> Vec<u8> {
    // With zstd's checksum of the body: damage in storage or on the way is found by the
    // unpacking, before the body's own framing is read. Only an allocation failure fails
    // here: stored as is, the artifact is then refused as damaged.
    zstd::bulk::Compressor::new(PACK_LEVEL)
        .and_then(|mut c| {
            c.set_parameter(zstd::stream::raw::CParameter::ChecksumFlag(true))?;
            c.compress(body)
        })
        .unwrap_or_else(|_| body.to_vec())
}

/// An artifact's body from what is stored ([`pack`]'s form); `None` when it is not that (not
/// zstd, damaged, or over [`MAX_ARTIFACT`] unpacked).
pub fn unpack(stored: &[u8]) -> Option<Vec<u8>> {
    unpack_from(stored)
}

/// Unpacks one zstd frame ([`pack`]'s form) as its bytes arrive. When the frame states its
/// size (`pack`'s do), straight into one buffer of that size, which zstd then uses as its
/// window too (`StableOutBuffer`): a fresh clone's facts are 4 MB at 20k files, and growing a
/// buffer by doubling and zero-filling it, with a window of zstd's own copied out of, was
/// about a tenth of that clone's first check's CPU (page faults, copies, unmaps). A frame that
/// states no size unpacks into a growing buffer. Refused: anything after the frame, a frame
/// larger than it states or cut short, and more than [`MAX_ARTIFACT`] unpacked.
fn unpack_from(mut stored: impl std::io::Read) -> Option<Vec<u8>> {
    use zstd::zstd_safe::{DCtx, DParameter, InBuffer, OutBuffer};
    let mut dctx = DCtx::try_create()?;
    let mut input = vec![0u8; DCtx::in_size()];
    let mut out: Vec<u8> = Vec::new();
    // zstd's hint after the last call: 0 once the frame has ended.
    let mut hint = 1;
    let mut first = true;
    // `out` is the frame's whole size, and zstd's window (never grown or moved).
    let mut stable = false;
    loop {
        let n = read_some(&mut stored, &mut input)?;
        if n == 0 {
            break;
        }
        if hint == 0 {
            return None;
        }
        if std::mem::take(&mut first)
            && let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(&input[..n])
        {
            if size > MAX_ARTIFACT {
                return None;
            }
            out.reserve_exact(usize::try_from(size).ok()?);
            stable = dctx.set_parameter(DParameter::StableOutBuffer(true)).is_ok();
        }
        let mut arrived = InBuffer::around(&input[..n]);
        loop {
            if !stable && out.len() == out.capacity() {
                out.reserve(out.capacity().max(64 << 10));
            }
            let at = out.len();
            let filled = {
                let mut unpacked = OutBuffer::around_pos(&mut out, at);
                hint = dctx.decompress_stream(&mut unpacked, &mut arrived).ok()?;
                unpacked.pos() == unpacked.capacity()
            };
            if out.len() as u64 > MAX_ARTIFACT || hint == 0 && arrived.pos() < n {
                return None;
            }
            // A full buffer that can grow may leave output inside zstd (unless the frame has
            // ended): call again once it has grown. A stable one is the frame's size: zstd
            // holds nothing more for it (it says when a frame would overflow it), and what
            // is left to come (its checksum) is in the next read.
            if arrived.pos() == n && !(filled && hint != 0 && !stable) {
                break;
            }
        }
    }
    // Nothing at all, or a frame cut short: not an artifact.
    (!first && hint == 0).then_some(out)
}

/// One `read` of `from` (again when interrupted); `None` when it fails.
fn read_some(from: &mut impl std::io::Read, buf: &mut [u8]) -> Option<usize> {
    loop {
        match from.read(buf) {
            Ok(n) => return Some(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// A download's bytes as they arrive: fed to the MAC when a key is set, and the transfer's
/// own failure kept apart from the data's (a timeout is the server's, bad bytes the
/// artifact's).
struct Wire<R> {
    inner: R,
    mac: Option<HmacSha256>,
    failed: Option<std::io::Error>,
}

impl<R: std::io::Read> std::io::Read for Wire<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                if let Some(mac) = &mut self.mac {
                    mac.update(&buf[..n]);
                }
                Ok(n)
            }
            Err(e) => {
                let kind = e.kind();
                self.failed = Some(e);
                Err(kind.into())
            }
        }
    }
}

pub fn facts_hash(fingerprint: u64, bits: u32, chunk: u32) -> String {
    let mut what = b"facts\0".to_vec();
    what.extend_from_slice(&fingerprint.to_le_bytes());
    what.extend_from_slice(&bits.to_le_bytes());
    what.extend_from_slice(&chunk.to_le_bytes());
    artifact_hash(&what)
}

/// The artifact holding the facts of every key of a snapshot (`keys`: sorted, distinct), in
/// the local cache's file layout ([`super::FactsCache::export`]) framed with `fingerprint`.
pub fn snapshot_hash(fingerprint: u64, keys: &[[u8; 20]]) -> String {
    let mut what = Vec::with_capacity(18 + keys.len() * 20);
    what.extend_from_slice(b"snapshot\0");
    what.extend_from_slice(&fingerprint.to_le_bytes());
    for k in keys {
        what.extend_from_slice(k);
    }
    artifact_hash(&what)
}

/// [`snapshot_hash`] of a snapshot git knows as a tree ([`crate::snapshot::Snapshot::tree_id`]):
/// named by the tree instead of its keys, which the tree decides. Known before the snapshot is
/// read (a fresh clone asks for HEAD's tree first thing), and with no walk over its paths. A
/// name only says where to look: every entry inside is keyed by its own blob and kind.
pub fn snapshot_tree_hash(fingerprint: u64, tree: &Oid) -> String {
    let mut what = b"snapshot tree\0".to_vec();
    what.extend_from_slice(&fingerprint.to_le_bytes());
    what.extend_from_slice(tree.as_bytes());
    artifact_hash(&what)
}

/// The context bundle of a snapshot ([`super::bundle`]) git knows as a tree: named by the tree
/// and the bundle's fingerprint (hookctl's version), like [`snapshot_tree_hash`]. Each file
/// inside carries its own key besides (a context hash, a fingerprint), checked by its reader.
pub fn bundle_tree_hash(tree: &Oid) -> String {
    let mut what = b"bundle tree\0".to_vec();
    what.extend_from_slice(&super::bundle::fingerprint().to_le_bytes());
    what.extend_from_slice(tree.as_bytes());
    artifact_hash(&what)
}

/// The context bundle's name for `snap`: [`bundle_tree_hash`] when git knows it as a tree,
/// else [`bundle_hash`].
pub fn bundle_name(snap: &crate::snapshot::Snapshot) -> String {
    snap.tree_id()
        .map_or_else(|| bundle_hash(snap), |tree| bundle_tree_hash(&tree))
}

/// The context bundle of a snapshot ([`super::bundle`]): named by every path of it, its kind
/// and blob id, and the bundle's fingerprint (hookctl's version). Each file inside carries its
/// own key besides (a context hash, a fingerprint), checked by its reader.
pub fn bundle_hash(snap: &crate::snapshot::Snapshot) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"bundle\0");
    h.update(&super::bundle::fingerprint().to_le_bytes());
    for (path, entry) in snap {
        h.update(path.as_bytes());
        h.update(&[0, entry.kind as u8]);
        h.update(entry.oid.as_bytes());
    }
    artifact_hash(&h.digest128().to_le_bytes())
}

pub fn clean_hash(name: &str, ctx: u64) -> String {
    let mut what = b"clean\0".to_vec();
    what.extend_from_slice(name.as_bytes());
    what.push(0);
    what.extend_from_slice(&ctx.to_le_bytes());
    artifact_hash(&what)
}

/// The remote identity of facts: the local cache's fingerprint and the file size limit (a
/// file over the limit is skipped, never answered from a cache).
pub fn facts_fingerprint(local: u64, max_file_size: u64) -> u64 {
    let mut what = b"remote facts\0".to_vec();
    what.extend_from_slice(&local.to_le_bytes());
    what.extend_from_slice(&max_file_size.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&what)
}

// Chunk body (inside FACTS_FRAME, fingerprint = the remote facts fingerprint):
//   bits u8, chunk u32, count u32, then per entry (sorted by key, strictly):
//   key [20], len u32, facts (the facts cache's entry encoding)

pub fn encode_chunk(fingerprint: u64, bits: u32, chunk: u32, entries: &[(Oid, Facts)]) -> Vec<u8> {
    let mut body = Vec::with_capacity(9 + entries.len() * 160);
    body.push(bits as u8);
    body.extend_from_slice(&chunk.to_le_bytes());
    body.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    let mut facts = Vec::with_capacity(256);
    for (k, f) in entries {
        facts.clear();
        super::encode_facts(f, &mut facts);
        body.extend_from_slice(k.as_bytes());
        body.extend_from_slice(&(facts.len() as u32).to_le_bytes());
        body.extend_from_slice(&facts);
    }
    FACTS_FRAME.encode(fingerprint, &body)
}

/// A downloaded facts chunk: the file as it came, and where each key's entry lies in it. The
/// entries stay in the local cache's encoding: a file's facts are decoded once, when the scan
/// asks for them, and the same bytes go into the local cache as they are (never encoded again).
pub struct Chunk {
    file: Vec<u8>,
    bits: u32,
    /// Its range (the keys' leading `bits` bits).
    range: u32,
    /// (key, start, end of its encoded facts in `file`), sorted by key (strictly, as the
    /// chunk lists them): found as the local cache finds its entries.
    entries: Vec<([u8; 20], usize, usize)>,
    /// Every entry decodes and none holds a secret ([`Chunk::screened`]).
    clean: bool,
}

impl Chunk {
    /// The chunk with every entry screened as the local cache screens what it stores
    /// ([`super::entries_hold_secret`]: each entry's own text, as for decoded facts, the
    /// prefixes of the secret formats looked for once over the whole chunk): clean when each
    /// decodes and none holds a secret. Only a clean chunk is stored whole; another's entries
    /// are screened again one by one as they are used.
    pub fn screened(mut self) -> Chunk {
        let raws = self
            .entries
            .iter()
            .map(|&(_, start, end)| self.file.get(start..end));
        self.clean = super::entries_hold_secret(raws) == Some(false);
        self
    }

    pub fn is_clean(&self) -> bool {
        self.clean
    }

    /// The leading bits that cut the key space, and this chunk's range.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    pub fn range(&self) -> u32 {
        self.range
    }

    /// (key bytes, encoded facts) of every entry, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.entries
            .iter()
            .filter_map(|(k, start, end)| Some((&k[..], self.file.get(*start..*end)?)))
    }

    /// The encoded facts of `key`, if the chunk lists it.
    pub fn raw(&self, key: &Oid) -> Option<&[u8]> {
        let want = key.as_bytes();
        let lead = |k: &[u8]| u64::from_be_bytes(k[..8].try_into().expect("8 bytes"));
        let i = super::lower_bound_uniform(self.entries.len(), lead(want), |i| lead(&self.entries[i].0));
        // Keys sharing the leading 8 bytes are rare: step over them to the one that matches.
        let (_, start, end) = self.entries[i..]
            .iter()
            .take_while(|e| lead(&e.0) == lead(want))
            .find(|e| e.0[..] == *want)?;
        self.file.get(*start..*end)
    }

    /// The chunk file's size.
    pub fn byte_len(&self) -> usize {
        self.file.len()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A chunk, if the file is one of this fingerprint (the framing's magic, format and checksum
/// included), names this chunk, and lists only keys of it, in order, with entries inside the
/// body; `None` otherwise (the whole chunk is ignored). An entry is decoded when it is used:
/// one that does not decode is a miss, counted as rejected ([`FactsFetch::take`]).
pub fn parse_chunk(file: Vec<u8>, fingerprint: u64, bits: u32, chunk: u32) -> Option<Chunk> {
    let body = FACTS_FRAME.body(&file, fingerprint)?;
    let start = body.as_ptr() as usize - file.as_ptr() as usize;
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<(usize, &[u8])> {
        let s = body.get(at..at.checked_add(n)?)?;
        at += n;
        Some((start + at - n, s))
    };
    let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
    if u32::from(take(1)?.1[0]) != bits || u32_of(take(4)?.1) != chunk {
        return None;
    }
    let count = u32_of(take(4)?.1) as usize;
    let mut entries: Vec<([u8; 20], usize, usize)> = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        let key: [u8; 20] = take(20)?.1.try_into().expect("20 bytes");
        if chunk_of_bytes(&key, bits) != chunk || entries.last().is_some_and(|p| p.0 >= key) {
            return None;
        }
        let len = u32_of(take(4)?.1) as usize;
        let (from, _) = take(len)?;
        entries.push((key, from, from + len));
    }
    if at != body.len() {
        return None;
    }
    Some(Chunk {
        file,
        bits,
        range: chunk,
        entries,
        clean: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(key: Option<&str>, team_id: Option<&str>) -> Settings {
        Settings {
            api: "http://127.0.0.1:9".into(),
            token: "t".into(),
            team_id: team_id.map(String::from),
            team_slug: None,
            key: key.map(|k| k.as_bytes().to_vec()),
            write: true,
            min_misses: 0,
            timeout: Duration::from_millis(50),
        }
    }

    #[test]
    fn the_tag_is_turbos_hmac_over_hash_team_and_body() {
        // Computed independently: python3 -c "import hmac,hashlib,base64;
        // print(base64.b64encode(hmac.new(b'x3vq8mFz0J', b'd5b7e4688f'+b'tH7sL1Rn9K'+bytes([5,72,219,39,156]), hashlib.sha256).digest()).decode())"
        let s = settings(Some("x3vq8mFz0J"), Some("tH7sL1Rn9K"));
        let tag = s.tag("d5b7e4688f", &[5, 72, 219, 39, 156]).unwrap();
        assert_eq!(tag, EXPECTED_TAG);
        assert!(s.verify("d5b7e4688f", &[5, 72, 219, 39, 156], Some(&tag)));
        assert!(
            !s.verify("d5b7e4688f", &[5, 72, 219, 39, 157], Some(&tag)),
            "another body"
        );
        assert!(
            !s.verify("d5b7e4688e", &[5, 72, 219, 39, 156], Some(&tag)),
            "another hash"
        );
        assert!(!s.verify("d5b7e4688f", &[5, 72, 219, 39, 156], None), "no tag");
        assert!(!s.verify("d5b7e4688f", &[5, 72, 219, 39, 156], Some("bm90IGEgdGFn")));
        let other_team = settings(Some("x3vq8mFz0J"), Some("team_other"));
        assert!(!other_team.verify("d5b7e4688f", &[5, 72, 219, 39, 156], Some(&tag)));
        let other_key = settings(Some("another key"), Some("tH7sL1Rn9K"));
        assert!(!other_key.verify("d5b7e4688f", &[5, 72, 219, 39, 156], Some(&tag)));
        assert_eq!(
            settings(None, None).tag("h", b"b"),
            None,
            "unsigned without a key"
        );
    }

    const EXPECTED_TAG: &str = "ki5kbVnrrPqbWiWxMWbW3OE6Q6SXmbqEpfGvEFQWbZw=";

    fn oid(lead: u32, n: u8) -> Oid {
        let mut b = [n; 20];
        b[..4].copy_from_slice(&lead.to_be_bytes());
        Oid::from_bytes(&b).unwrap()
    }

    #[test]
    fn chunks_follow_the_snapshot_size() {
        assert_eq!(chunk_bits(0), 0);
        assert_eq!(chunk_bits(1000), 0);
        assert_eq!(chunk_bits(1024), 1);
        assert_eq!(chunk_bits(20_000), 5);
        assert_eq!(chunk_bits(100_000), 7);
        assert_eq!(chunk_bits(usize::MAX), MAX_BITS);
        assert_eq!(chunk_of(&oid(0xffff_ffff, 0), 5), 31);
        assert_eq!(chunk_of(&oid(0x0800_0000, 0), 5), 1);
        assert_eq!(chunk_of(&oid(0xffff_ffff, 0), 0), 0);
        // Names: prefixed, distinct per fingerprint, size and range, never a turbo task hash.
        let h = facts_hash(1, 5, 3);
        assert!(h.starts_with(HASH_PREFIX) && h.len() == HASH_PREFIX.len() + 32);
        assert_ne!(h, facts_hash(2, 5, 3));
        assert_ne!(h, facts_hash(1, 6, 3));
        assert_ne!(h, facts_hash(1, 5, 4));
        assert_ne!(clean_hash("clean.bin", 1), clean_hash("clean.bin", 2));
        assert_ne!(clean_hash("clean.bin", 1), clean_hash("secrets.bin", 1));
        assert_ne!(facts_fingerprint(1, 10), facts_fingerprint(1, 11));
    }

    fn facts(n: usize) -> Facts {
        Facts {
            imports: vec![crate::scan::Import {
                specifier: format!("./m{n}"),
                kind: crate::scan::ImportKind::Static,
                type_only: false,
                guarded: false,
                span: crate::scan::Span {
                    line: 1,
                    column: 1,
                    start: 0,
                    end: 1,
                },
            }],
            ..Facts::default()
        }
    }

    #[test]
    fn a_chunk_round_trips_and_anything_else_is_refused() {
        let entries = vec![(oid(0x0800_0000, 1), facts(1)), (oid(0x0800_0001, 2), facts(2))];
        let file = encode_chunk(7, 5, 1, &entries);
        let back = parse_chunk(file.clone(), 7, 5, 1).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(
            crate::cache::decode_facts(back.raw(&entries[1].0).unwrap()),
            Some(facts(2))
        );
        assert!(back.raw(&oid(0x0800_0002, 3)).is_none());
        assert!(
            parse_chunk(file.clone(), 8, 5, 1).is_none(),
            "another fingerprint"
        );
        assert!(parse_chunk(file.clone(), 7, 6, 1).is_none(), "another cut");
        assert!(
            parse_chunk(file.clone(), 7, 5, 2).is_none(),
            "another chunk's name"
        );
        // A key outside the chunk, or out of order: refused whole.
        let outside = encode_chunk(7, 5, 1, &[(oid(0x1000_0000, 1), facts(1))]);
        assert!(parse_chunk(outside, 7, 5, 1).is_none());
        let unsorted = encode_chunk(7, 5, 1, &[entries[1].clone(), entries[0].clone()]);
        assert!(parse_chunk(unsorted, 7, 5, 1).is_none());
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x10;
            assert!(parse_chunk(bad, 7, 5, 1).is_none(), "byte {i}");
        }
        for n in 0..file.len() {
            assert!(parse_chunk(file[..n].to_vec(), 7, 5, 1).is_none(), "cut at {n}");
        }
    }

    #[test]
    fn a_dead_server_costs_one_timeout_then_nothing() {
        // A port nothing listens on: refused at once; then no more requests.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut s = settings(None, Some("team_x"));
        s.api = format!("http://127.0.0.1:{port}");
        let r = Remote::new(s);
        let t0 = std::time::Instant::now();
        assert_eq!(r.get("hookctlx"), Fetched::Missing);
        assert!(r.is_down());
        assert!(!r.worth_it(usize::MAX) && !r.writes());
        assert!(!r.put("hookctlx", b"x"));
        assert!(t0.elapsed() < Duration::from_secs(2));
        let notes = r.finish();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("did not answer"), "{notes:?}");
    }

    #[test]
    fn the_token_and_key_never_show_in_debug() {
        let s = settings(Some("sekrit-key"), None);
        let shown = format!("{s:?}");
        assert!(!shown.contains("sekrit") && !shown.contains("token: "), "{shown}");
    }

    /// What is stored unpacks to the body, damage in it never unpacks to another body (zstd's
    /// checksum), and what is not a zstd frame, or would unpack past the largest artifact, is
    /// refused.
    #[test]
    fn a_packed_artifact_unpacks_to_its_body_and_nothing_else_does() {
        let body: Vec<u8> = (0..20_000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
        let stored = pack(&body);
        assert!(
            stored.len() < body.len() / 2,
            "{} of {}",
            stored.len(),
            body.len()
        );
        assert_eq!(unpack(&stored), Some(body.clone()));
        assert_eq!(unpack(&body), None, "not packed");
        // A flipped bit in what is stored either fails the unpacking (zstd's checksum) or
        // touched nothing the body depends on; never another body.
        let mut refused = 0;
        for at in 0..stored.len() {
            let mut bad = stored.clone();
            bad[at] ^= 0x20;
            match unpack(&bad) {
                None => refused += 1,
                Some(other) => assert!(other == body, "byte {at} unpacked to another body"),
            }
        }
        assert!(
            refused * 10 >= stored.len() * 9,
            "{refused} of {} refused",
            stored.len()
        );
        assert_eq!(unpack(&stored[..stored.len() - 4]), None, "cut short");
        let huge = vec![0u8; usize::try_from(MAX_ARTIFACT).unwrap() + 1];
        assert_eq!(unpack(&pack(&huge)), None, "over the largest artifact unpacked");
        let largest = vec![0u8; usize::try_from(MAX_ARTIFACT).unwrap()];
        assert_eq!(unpack(&pack(&largest)).map(|b| b.len()), Some(largest.len()));
    }

    /// The buffer is sized from the frame's head when the first bytes hold it; the other
    /// ways a frame can arrive (a byte at a time, no size stated) unpack to the same body,
    /// and anything but one frame is refused.
    #[test]
    fn an_artifact_unpacks_however_its_bytes_arrive() {
        struct Trickle<'a>(&'a [u8]);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        /// The frame in two reads, the first `.1` bytes long.
        struct Split<'a>(&'a [u8], usize);
        impl std::io::Read for Split<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                self.1 = usize::MAX;
                Ok(n)
            }
        }
        let body: Vec<u8> = (0..300_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let stored = pack(&body);
        // Its head in the first read: one buffer of exactly the body's size, never grown.
        assert_eq!(unpack(&stored).map(|b| b.capacity()), Some(body.len()));
        assert_eq!(
            unpack_from(Trickle(&stored)),
            Some(body.clone()),
            "a byte at a time"
        );
        // Its body all there and its checksum (the last 4 bytes) not yet, or any other cut:
        // the frame's head is in the first read, so it unpacks into a buffer of its size.
        for cut in (1..=12)
            .map(|back| stored.len() - back)
            .chain([20, 100, stored.len() / 2])
        {
            assert_eq!(
                unpack_from(Split(&stored, cut)),
                Some(body.clone()),
                "cut at {cut}"
            );
        }
        let unsized_frame = zstd::stream::encode_all(&body[..], 3).unwrap();
        assert_eq!(
            zstd::zstd_safe::get_frame_content_size(&unsized_frame).ok(),
            Some(None),
            "the stream encoder states no size"
        );
        assert_eq!(unpack(&unsized_frame), Some(body.clone()), "no size stated");
        let (head, tail) = body.split_at(100_000);
        let two = [pack(head), pack(tail)].concat();
        assert_eq!(unpack(&two), None, "two frames");
        let two = [unsized_frame.clone(), pack(tail)].concat();
        assert_eq!(unpack(&two), None, "two frames, the first of no stated size");
        assert_eq!(
            unpack(&[&stored[..], b"x"].concat()),
            None,
            "a byte after the frame"
        );
        assert_eq!(unpack(&[]), None, "nothing");
        assert_eq!(unpack(&pack(&[])), Some(Vec::new()), "an empty body");
    }

    proptest::proptest! {
        #[test]
        fn unpack_never_panics(stored in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = unpack(&stored);
            let mut framed = pack(&stored);
            let at = stored.len() % framed.len();
            framed[at] ^= 1;
            let _ = unpack(&framed);
        }

        #[test]
        fn parse_chunk_never_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse_chunk(body.clone(), 7, 5, 1);
            let framed = FACTS_FRAME.encode(7, &body);
            let _ = parse_chunk(framed, 7, 5, 1);
        }
    }
}
