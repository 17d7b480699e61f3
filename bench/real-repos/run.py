#!/usr/bin/env python3
"""Driver of bench/real-repos.sh: export, compare with TypeScript, check cold and warm, tabulate.

Per repository it records:
  imports      hookctl's resolution records (every import of every scanned file)
  compared     imports TypeScript could be asked about (relative, alias, workspace, baseUrl)
  agree        hookctl's verdict equals TS's (the same file, or both fail)
  mode         agreement only under bundler resolution (agree.mjs's "mode-specific" bucket)
  FP           TS resolves the import, hookctl reports it (false positives: commits blocked wrongly)
  missed       TS fails, hookctl resolves a file (defects hookctl lets through)
  other        both resolve, to different files
  findings     hookctl check --all-findings, by rule
  blocking     findings of severity "error" (what refuses a commit), and how many of them are
               judged false in explained.txt (`FALSE <mechanism>:`) or not judged at all
  warnings     findings of severity "warning", by rule
  cold = warm  the findings of a run with no cache equal those of the next run
and the times of both runs.

explained.txt judges each blocking finding, one line per repository, rule and specifier or name:
  <owner/name> <rule> <specifier or name, a trailing * matches any rest>[ in <path glob>] | <why>
A `why` that starts with `FALSE <mechanism>:` judges the finding false (the deploy does not break;
<mechanism> names what the engine failed to read); any other `why` judges it true. `in <glob>`
(fnmatch on the finding's path, or on `path:line`) narrows the line to some files or lines; the
first matching line wins.
"""
import argparse
import collections
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time

FAIL = {"untracked", "unresolved", "case-mismatch", "generated", "ignored", "undeclared", "external", "needs-extension"}


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def clean_env():
    env = dict(os.environ)
    for v in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "HOOKCTL", "HOOKCTL_SKIP"):
        env.pop(v, None)
    env["NO_COLOR"] = "1"
    return env


def check(bin_, repo, env):
    t = time.monotonic()
    r = sh([bin_, "check", "--all-findings", "--format", "json"], cwd=repo, env=env)
    ms = (time.monotonic() - t) * 1000
    try:
        out = json.loads(r.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"{repo}: hookctl check exit {r.returncode}: {r.stderr[:2000]}")
    return out, ms, r.stderr


def main():
    ap = argparse.ArgumentParser()
    for a in ("--bin", "--mirrors", "--work", "--repos", "--agree", "--out"):
        ap.add_argument(a, required=True)
    ap.add_argument("filter", nargs="?", default="")
    o = ap.parse_args()
    env = clean_env()
    rows = []
    explained = load_explained(os.path.join(os.path.dirname(__file__), "explained.txt"))
    os.makedirs(os.path.join(o.out, "real-repos"), exist_ok=True)
    for line in open(o.repos):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, commit, shape = line.split(" ", 2)
        if o.filter and o.filter not in name:
            continue
        slug = name.replace("/", "+")
        mirror = os.path.join(o.mirrors, slug, "repo")
        if os.path.isdir(os.path.join(mirror, ".git")):
            mirror = os.path.join(mirror, ".git")  # a snapshot that is a clone with a work tree
        repo = os.path.join(o.work, slug)
        if not os.path.isdir(mirror):
            print(f"real-repos: no mirror for {name} at {mirror}; skipped", file=sys.stderr)
            continue
        marker = os.path.join(repo, ".git", "real-repos-commit")
        # The marker names the export's layout too (missing blobs as empty files).
        if not (os.path.exists(marker) and open(marker).read().strip() == commit + " placeholders"):
            shutil.rmtree(repo, ignore_errors=True)
            r = sh([sys.executable, os.path.join(os.path.dirname(__file__), "export.py"), mirror, commit, repo])
            if r.returncode != 0:
                raise SystemExit(f"export {name}: {r.stderr}")
            open(marker, "w").write(commit + " placeholders\n")
            print(f"real-repos: exported {name} {commit[:12]}: {r.stdout.strip()[:200]}", file=sys.stderr)
        # TypeScript's resolver on the same snapshot.
        agree_json = os.path.join(o.work, slug + ".agree.json")
        r = sh(["node", o.agree, repo, "--hookctl", o.bin, "--json", agree_json], env=env)
        if not os.path.exists(agree_json):
            raise SystemExit(f"agree {name}: exit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        ag = json.load(open(agree_json))
        # An intermediate file naming this machine's paths: what the report keeps is in `detail`.
        os.remove(agree_json)
        counts = ag["counts"]
        fp = [d for d in ag["disagreements"] if d["ts"] is not None and d["hookctl"]["verdict"] in FAIL]
        missed = [d for d in ag["disagreements"] if d["ts"] is None and d["hookctl"]["verdict"] == "file"]
        other = [d for d in ag["disagreements"] if d not in fp and d not in missed]
        imports = int(sh([o.bin, "resolve"], cwd=repo, env=env).stdout.count("\n"))
        # hookctl cold, then warm.
        shutil.rmtree(os.path.join(repo, ".git", "hookctl"), ignore_errors=True)
        cold, cold_ms, notes = check(o.bin, repo, env)
        warm, warm_ms, _ = check(o.bin, repo, env)
        same = cold["findings"] == warm["findings"]
        by_rule = collections.Counter(f["rule"] for f in cold["findings"])
        blocking = [f for f in cold["findings"] if f.get("severity") == "error"]
        warnings = [f for f in cold["findings"] if f.get("severity") != "error"]
        judged_false, unjudged = [], []
        for f in blocking:
            why = explain(explained, name, f)
            if why is None:
                unjudged.append(f)
            elif judged_false_mechanism(why):
                judged_false.append(dict(f, mechanism=judged_false_mechanism(why), why=why))
        detail = {
            "repo": name, "commit": commit, "shape": shape, "typescript": ag["typescript"],
            "imports": imports, "counts": counts, "false_positives": fp, "missed": missed,
            "other_disagreements": other, "mode_specific": ag.get("modeSpecific", [])[:50],
            "findings_by_rule": dict(sorted(by_rule.items())),
            "blocking": len(blocking),
            "blocking_by_rule": dict(sorted(collections.Counter(f["rule"] for f in blocking).items())),
            "blocking_judged_false": judged_false, "blocking_unjudged": unjudged,
            "warnings": len(warnings),
            "warnings_by_rule": dict(sorted(collections.Counter(f["rule"] for f in warnings).items())),
            "findings": cold["findings"],
            "notes": [l for l in notes.splitlines() if l.strip()],
            "cold_ms": round(cold_ms), "warm_ms": round(warm_ms), "cold_equals_warm": same,
        }
        json.dump(detail, open(os.path.join(o.out, "real-repos", slug + ".json"), "w"), indent=1)
        rows.append(detail)
        print(f"{name}: imports {imports}, compared {counts['compared']} ({counts.get('fromHostFiles', 0)} from .vue/.svelte/.astro/.mdx), agree {counts['agree']}, "
              f"mode {counts['modeSpecific']}, FP {len(fp)}, missed {len(missed)}, other {len(other)}, "
              f"findings {dict(by_rule)}, blocking {len(blocking)} ({len(judged_false)} judged false, "
              f"{len(unjudged)} unjudged), warnings {len(warnings)}, cold {cold_ms:.0f} ms, warm {warm_ms:.0f} ms, cold=warm {same}",
              file=sys.stderr)
    bad = [r["repo"] for r in rows if r["false_positives"] or not r["cold_equals_warm"]
           or r["blocking_judged_false"] or r["blocking_unjudged"]
           or any(explain_miss(explained, r["repo"], m) is None for m in r["missed"])]
    if o.filter:
        return 1 if bad else 0
    write_table(rows, os.path.join(o.out, "real-repos.md"), explained)
    return 1 if bad else 0


def load_explained(path):
    out = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        head, why = line.split(" | ", 1)
        repo, rule, spec = head.split(" ", 2)
        spec, _, glob = spec.partition(" in ")
        out.append((repo, rule, spec, glob, why))
    return out


def judged_false_mechanism(why):
    """`FALSE <mechanism>: ...` -> the mechanism; None for a finding judged true."""
    if not why.startswith("FALSE "):
        return None
    return why[len("FALSE "):].split(":", 1)[0].strip()


def explain_miss(explained, repo, m):
    """A miss (TS fails, hookctl resolves a file) that is right for the runtime the code runs
    in: explained.txt lines with the rule `missed` and the specifier."""
    return explain(explained, repo, {"rule": "missed", "specifier": m["specifier"]})


def explain(explained, repo, f):
    what = f.get("specifier") or f.get("name") or ""
    for r, rule, spec, glob, why in explained:
        if r == repo and rule == f["rule"] and (what == spec or (spec.endswith("*") and what.startswith(spec[:-1]))) \
                and (not glob or fnmatch.fnmatchcase(f.get("path", ""), glob)
                     or fnmatch.fnmatchcase(f"{f.get('path', '')}:{f.get('line', '')}", glob)):
            return why
    return None


WARNING_KINDS = {
    "imports/unknown-specifier": "a specifier no mapping matched that cannot be a package name, or that a bundler "
    "config hookctl could not evaluate may provide (`~icons/*`, `virtual:*`, `#build/*`): only the bundler knows",
    "env/undeclared": "a read with a literal fallback, guarded, optional in a schema, or in a test/script file: "
    "nothing breaks when the variable is unset",
    "env/turbo-filtered": "a read turbo's strict env mode filters from the build task, where the build may not "
    "evaluate it (server code read at run time gets the host's whole environment), or with a fallback",
    "env/local-only": "a name set only in an untracked local env file: works on this machine only",
    "env/client-read": "a client read that is only tested, has a fallback or is guarded: the browser takes "
    "the unset branch, nothing crashes",
    "imports/undeclared-dependency": "a package whose `@types` package alone is declared: it breaks only if a "
    "binding is used as a value (`import type` makes it certain); or an import in a file every importer loads "
    "as text (`!raw-loader!`, `?raw`): the bundler never builds it",
    "imports/unresolved": "an import in a file every importer loads as text (`!raw-loader!`, `?raw`): the "
    "bundler never builds it",
    "imports/case-mismatch": "an import in a file every importer loads as text (`!raw-loader!`, `?raw`): the "
    "bundler never builds it",
    "env/required-by-package": "a package imported only by tests or scripts",
}


def warning_reason(f):
    """Why one warning is not blocking, from its message: the part after the rule's own words."""
    m = f.get("message", "")
    if "is loaded only as text" in m:
        return "in a file loaded only as text"
    for marker in ("nothing breaks when it is unset: ", "nothing crashes: "):
        if marker in m:
            return m.split(marker, 1)[1].split(", so the browser")[0].rstrip(".")
    if "unless the build evaluates this read" in m:
        return "may run only at run time, outside turbo's task"
    if "only its types" in m:
        return "only its `@types` package is declared"
    if f["rule"] == "imports/unknown-specifier":
        return "may be provided by a config hookctl could not evaluate" if "may define" in m else "no mapping matched; cannot be a package name"
    return "other"


def write_table(rows, path, explained):
    ts = rows[0]["typescript"] if rows else "?"
    out = [
        "# hookctl on real repositories",
        "",
        f"Written by `bench/real-repos.sh` on {time.strftime('%Y-%m-%d')} (TypeScript {ts} `resolveModuleName`",
        "through `tests/ts-agree/agree.mjs`, serving only the git index). Per repository: the pinned",
        "commit, hookctl's import records, the imports TypeScript could be asked about (relative, alias,",
        "workspace, baseUrl), agreement, false positives (TS resolves, hookctl reports), misses (TS fails,",
        "hookctl resolves), `hookctl check --all-findings` findings by rule, the blocking findings (severity",
        "`error`) judged false in `real-repos/explained.txt` (the deploy would not break) out of all",
        "blocking ones, the warnings, cold and warm times, and whether the warm run's findings equal the",
        "cold run's. Details: `real-repos/<owner>+<name>.json`.",
        "Imports in the script blocks of `.vue`/`.svelte`/`.astro`/`.mdx` files are compared like the others",
        "(TypeScript is given the importer's name); imports *of* such files must exist exactly and are not",
        "compared (TypeScript resolves them only through a framework plugin).",
        "",
        "| repository | commit | shape | imports | compared | agree | FP | missed | findings "
        "| blocking judged false | warnings | cold ms | warm ms | cold = warm |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        c = r["counts"]
        pct = 100.0 * (c["agree"] + c["modeSpecific"]) / c["compared"] if c["compared"] else 100.0
        agree = f"{pct:.2f}%" + (f" ({c['modeSpecific']} mode-specific)" if c["modeSpecific"] else "")
        findings = ", ".join(f"{k} {v}" for k, v in r["findings_by_rule"].items()) or "none"
        host = f" ({c['fromHostFiles']} in .vue/.svelte/.astro/.mdx)" if c.get("fromHostFiles") else ""
        false_ = f"{len(r['blocking_judged_false'])} of {r['blocking']}"
        if r["blocking_unjudged"]:
            false_ += f" (+{len(r['blocking_unjudged'])} **unjudged**)"
        if r["blocking_judged_false"] or r["blocking_unjudged"]:
            false_ = f"**{false_}**"
        out.append(
            f"| {r['repo']} | `{r['commit'][:12]}` | {r['shape']} | {r['imports']} | {c['compared']}{host} | {agree} "
            f"| {len(r['false_positives'])} | {len(r['missed'])} | {findings} | {false_} | {r['warnings']} "
            f"| {r['cold_ms']} | {r['warm_ms']} | {'yes' if r['cold_equals_warm'] else '**no**'} |")
    total_false = sum(len(r["blocking_judged_false"]) for r in rows)
    total_unjudged = sum(len(r["blocking_unjudged"]) for r in rows)
    mechanisms = collections.Counter(f["mechanism"] for r in rows for f in r["blocking_judged_false"])
    out += [
        "",
        "Agreement counts imports where hookctl and TypeScript give the same answer; \"mode-specific\" ones",
        "are under TypeScript's default `node10` resolution (a folder with no tsconfig, or one that does not",
        "set it), which ignores package.json `exports`; hookctl answers as a bundler and Node do there.",
        "",
        f"Blocking findings judged false: {total_false} (target 0); not judged: {total_unjudged}.",
    ]
    if mechanisms:
        out += ["", "| what hookctl failed to read | blocking findings judged false |", "|---|---:|"]
        out += [f"| {m} | {n} |" for m, n in mechanisms.most_common()]
    out += [
        "",
        "## Every miss, and why hookctl's answer is the right one",
        "",
        "A miss is an import TypeScript's resolver fails on while hookctl finds a file: a defect let",
        "through, unless the code runs where that file is found (Node's `require` probing `.json`, a",
        "test runner's own module extensions).",
        "",
    ]
    unexplained_misses = 0
    for r in rows:
        if not r["missed"]:
            continue
        out.append(f"- **{r['repo']}**")
        for m in r["missed"]:
            why = explain_miss(explained, r["repo"], m)
            if why is None:
                unexplained_misses += 1
                why = "**not explained: a defect let through until shown otherwise**"
            target = (m.get("hookctl") or {}).get("target")
            out.append(f"  - `{m['importer']}`:{m['line']} `{m['specifier']}` → `{target}`: {why}")
    out += [
        "",
        f"Unexplained misses: {unexplained_misses}.",
        "",
        "## Every blocking finding, judged",
        "",
        "Each blocking finding (severity `error`: it refuses the commit) with the verdict of",
        "`real-repos/explained.txt`: right (the build or the running app breaks, or a declared-nowhere",
        "read with no fallback: the rule's point), or **FALSE** with what hookctl failed to read.",
        "",
    ]
    for r in rows:
        groups = collections.Counter()
        for f in r["findings"]:
            if f.get("severity") != "error":
                continue
            groups[(f["rule"], f.get("specifier") or f.get("name") or f["path"], explain(explained, r["repo"], f))] += 1
        if not groups:
            continue
        out.append(f"- **{r['repo']}**")
        for (rule, what, why), n in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
            if why is None:
                why = "**not judged: a false positive until shown otherwise**"
            elif judged_false_mechanism(why):
                why = "**FALSE** (" + why[len("FALSE "):].replace(":", "):", 1)
            out.append(f"  - `{rule}` `{what}` ×{n}: {why}")
    out += [
        "",
        f"Blocking findings judged false: {total_false}; not judged: {total_unjudged}.",
        "",
        "## Warnings, by kind",
        "",
    ]
    kinds = collections.Counter()
    for r in rows:
        kinds.update(r["warnings_by_rule"])
    if not kinds:
        out.append("None.")
    for kind, n in sorted(kinds.items()):
        per = ", ".join(f"{r['repo']} {r['warnings_by_rule'][kind]}" for r in rows if kind in r["warnings_by_rule"])
        out.append(f"- `{kind}` ×{n} ({per}): {WARNING_KINDS.get(kind, 'see docs/rules')}")
        reasons = collections.Counter(
            warning_reason(f) for r in rows for f in r["findings"] if f["rule"] == kind and f.get("severity") != "error"
        )
        for why, m in reasons.most_common():
            out.append(f"  - ×{m}: {why}")
    out.append("")
    open(path, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    sys.exit(main())
