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
  cold = warm  the findings of a run with no cache equal those of the next run
and the times of both runs.
"""
import argparse
import collections
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
        detail = {
            "repo": name, "commit": commit, "shape": shape, "typescript": ag["typescript"],
            "imports": imports, "counts": counts, "false_positives": fp, "missed": missed,
            "other_disagreements": other, "mode_specific": ag.get("modeSpecific", [])[:50],
            "findings_by_rule": dict(sorted(by_rule.items())), "findings": cold["findings"],
            "notes": [l for l in notes.splitlines() if l.strip()],
            "cold_ms": round(cold_ms), "warm_ms": round(warm_ms), "cold_equals_warm": same,
        }
        json.dump(detail, open(os.path.join(o.out, "real-repos", slug + ".json"), "w"), indent=1)
        rows.append(detail)
        print(f"{name}: imports {imports}, compared {counts['compared']} ({counts.get('fromHostFiles', 0)} from .vue/.svelte/.astro/.mdx), agree {counts['agree']}, "
              f"mode {counts['modeSpecific']}, FP {len(fp)}, missed {len(missed)}, other {len(other)}, "
              f"findings {dict(by_rule)}, cold {cold_ms:.0f} ms, warm {warm_ms:.0f} ms, cold=warm {same}",
              file=sys.stderr)
    if o.filter:
        return 0
    explained = load_explained(os.path.join(os.path.dirname(__file__), "explained.txt"))
    write_table(rows, os.path.join(o.out, "real-repos.md"), explained)
    bad = [r["repo"] for r in rows if r["false_positives"] or not r["cold_equals_warm"]
           or any(explain_miss(explained, r["repo"], m) is None for m in r["missed"])]
    return 1 if bad else 0


def load_explained(path):
    out = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        head, why = line.split(" | ", 1)
        repo, rule, spec = head.split(" ", 2)
        out.append((repo, rule, spec, why))
    return out


def explain_miss(explained, repo, m):
    """A miss (TS fails, hookctl resolves a file) that is right for the runtime the code runs
    in: explained.txt lines with the rule `missed` and the specifier."""
    return explain(explained, repo, {"rule": "missed", "specifier": m["specifier"]})


def explain(explained, repo, f):
    what = f.get("specifier") or f.get("name") or ""
    for r, rule, spec, why in explained:
        if r == repo and rule == f["rule"] and (what == spec or (spec.endswith("*") and what.startswith(spec[:-1]))):
            return why
    return None


def write_table(rows, path, explained):
    ts = rows[0]["typescript"] if rows else "?"
    out = [
        "# hookctl on real repositories",
        "",
        f"Written by `bench/real-repos.sh` on {time.strftime('%Y-%m-%d')} (TypeScript {ts} `resolveModuleName`",
        "through `tests/ts-agree/agree.mjs`, serving only the git index). Per repository: the pinned",
        "commit, hookctl's import records, the imports TypeScript could be asked about (relative, alias,",
        "workspace, baseUrl), agreement, false positives (TS resolves, hookctl reports), misses (TS fails,",
        "hookctl resolves), `hookctl check --all-findings` findings by rule, cold and warm times, and",
        "whether the warm run's findings equal the cold run's. Details: `real-repos/<owner>+<name>.json`.",
        "Imports in the script blocks of `.vue`/`.svelte`/`.astro`/`.mdx` files are compared like the others",
        "(TypeScript is given the importer's name); imports *of* such files must exist exactly and are not",
        "compared (TypeScript resolves them only through a framework plugin).",
        "",
        "| repository | commit | shape | imports | compared | agree | FP | missed | findings | cold ms | warm ms | cold = warm |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in rows:
        c = r["counts"]
        pct = 100.0 * (c["agree"] + c["modeSpecific"]) / c["compared"] if c["compared"] else 100.0
        agree = f"{pct:.2f}%" + (f" ({c['modeSpecific']} mode-specific)" if c["modeSpecific"] else "")
        findings = ", ".join(f"{k} {v}" for k, v in r["findings_by_rule"].items()) or "none"
        host = f" ({c['fromHostFiles']} in .vue/.svelte/.astro/.mdx)" if c.get("fromHostFiles") else ""
        out.append(
            f"| {r['repo']} | `{r['commit'][:12]}` | {r['shape']} | {r['imports']} | {c['compared']}{host} | {agree} "
            f"| {len(r['false_positives'])} | {len(r['missed'])} | {findings} | {r['cold_ms']} | {r['warm_ms']} "
            f"| {'yes' if r['cold_equals_warm'] else '**no**'} |")
    out += [
        "",
        "Agreement counts imports where hookctl and TypeScript give the same answer; \"mode-specific\" ones",
        "are under TypeScript's default `node10` resolution (a folder with no tsconfig, or one that does not",
        "set it), which ignores package.json `exports`; hookctl answers as a bundler and Node do there.",
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
        "## Every blocking finding left (imports, files, deps, secrets), and why it is right",
        "",
        "Env findings (`env/*`) are reads of variables that the repositories declare in no `.env.example`,",
        "`turbo.json` or committed env file: the rule's point (listed in the JSON details).",
        "",
    ]
    unexplained = 0
    for r in rows:
        groups = collections.Counter()
        whys = {}
        for f in r["findings"]:
            if f["rule"].startswith("env/"):
                continue
            key = (f["rule"], f.get("specifier") or f.get("name") or f["path"])
            groups[key] += 1
            whys[key] = explain(explained, r["repo"], f)
        if not groups:
            continue
        out.append(f"- **{r['repo']}**")
        for (rule, what), n in sorted(groups.items()):
            why = whys[(rule, what)]
            if why is None:
                unexplained += 1
                why = "**not explained: a false positive until shown otherwise**"
            out.append(f"  - `{rule}` `{what}` ×{n}: {why}")
    out.append("")
    out.append(f"Unexplained blocking findings: {unexplained}.")
    out.append("")
    open(path, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    sys.exit(main())
