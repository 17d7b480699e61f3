#!/usr/bin/env python3
"""Issue 11 bench rows: what jobs cost beyond the pre-commit itself, on a gen.py corpus.

Usage: bench/jobs.py CORPUS [--runs N] [--bin PATH]

CORPUS is a committed gen.py corpus (bench/run.sh's bench/.corpora/n20000, or
`python3 ../shared/gen-corpus/gen.py --files 20000 --seed 1 --out DIR --pack`). The corpus is
left as found (`git reset --hard`, also on error or Ctrl-C). Rows, medians of N runs of
`hookctl run pre-commit` with a config outside the corpus (`--config`):

1. staged view: one job `true {files}`, built-in checks off, 10 edited files fully staged (the
   job runs in place) vs the same 10 files partially staged (one more unstaged line each: the
   job runs in a staged view). The difference is the view's cost.
2. {affected}: built-in checks on, warm cache, the same 10 files staged: a job `true {files}`
   vs a job `true {affected} {packages}`. The end-to-end difference also counts running the
   longer command lines (thousands of affected files make several `sh -c` chunks); the
   in-process time of computing {affected} and {packages} comes from `HOOKCTL_TIMINGS=1`.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def git(repo, *args, **kw):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, **kw)


def affected_ms(binary, repo, config, runs):
    """Median of the in-process {affected}/{packages} time (HOOKCTL_TIMINGS' last phase)."""
    env = dict(os.environ, HOOKCTL_TIMINGS="1")
    for v in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"):
        env.pop(v, None)
    got = []
    for _ in range(runs):
        out = subprocess.run([binary, "--config", config, "run", "pre-commit"], cwd=repo, env=env, capture_output=True, text=True)
        last = [l for l in out.stderr.splitlines() if "timing: {affected}" in l]
        if last:
            got.append(float(last[-1].rsplit(": ", 1)[1].split()[0]))
    return statistics.median(got) if got else float("nan"), (last[-1] if got else "")


def time_runs(binary, repo, config, runs, env=None):
    cmd = [binary, "--config", config, "run", "pre-commit"]
    full_env = dict(os.environ, **(env or {}))
    for v in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"):
        full_env.pop(v, None)
    subprocess.run(cmd, cwd=repo, env=full_env, capture_output=True)  # warm-up (cache, page cache)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run(cmd, cwd=repo, env=full_env, capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
        if out.returncode != 0:
            sys.exit(f"bench: hookctl failed ({out.returncode}):\n{out.stderr.decode()[-2000:]}")
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--bin", default=os.environ.get("HOOKCTL_BIN", os.path.join(HERE, "..", "target", "release", "hookctl")))
    a = ap.parse_args()
    repo = os.path.abspath(a.corpus)
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"bench: no hookctl binary at {binary} (cargo build --release, or --bin)")
    if git(repo, "status", "--porcelain").stdout:
        sys.exit(f"bench: {repo} has changes; expected a clean corpus")
    tmp = tempfile.mkdtemp(prefix="hookctl-bench-jobs-")
    configs = {}
    for name, body in {
        "files": '[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = "j"\nrun = "true {files}"\n',
        "checks-files": '[[pre-commit.jobs]]\nname = "j"\nrun = "true {files}"\n',
        "checks-affected": '[[pre-commit.jobs]]\nname = "j"\nrun = "true {affected} {packages}"\n',
        "checks-tests": '[[pre-commit.jobs]]\nname = "j"\nglob = "*.test.ts"\nrun = "true {affected} {packages}"\n',
    }.items():
        configs[name] = os.path.join(tmp, name + ".toml")
        with open(configs[name], "w") as f:
            f.write(body)
    try:
        edited = subprocess.run(
            [sys.executable, os.path.join(HERE, "stage-edits.py"), repo, "10"],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        git(repo, "add", "--", *edited)
        rows = []
        in_place = time_runs(binary, repo, configs["files"], a.runs)
        for p in edited:
            with open(os.path.join(repo, p), "a") as f:
                f.write("// an unstaged edit\n")
        view = time_runs(binary, repo, configs["files"], a.runs)
        rows.append(("10 staged files, job `true {files}`, checks off: in place", in_place))
        rows.append(("same 10 files partially staged: staged view", view))
        print(f"| what | median ms | min ms |\n|---|---|---|")
        for label, (med, mn) in rows:
            print(f"| {label} | {med:.1f} | {mn:.1f} |")
        print(f"| **staged view overhead (median difference)** | **{view[0] - in_place[0]:.1f}** | |")
        # {affected}: back to fully staged edits, checks on.
        git(repo, "checkout", "--", *edited)
        files = time_runs(binary, repo, configs["checks-files"], a.runs)
        affected = time_runs(binary, repo, configs["checks-affected"], a.runs)
        print(f"| pre-commit (checks on, warm) + job `true {{files}}` | {files[0]:.1f} | {files[1]:.1f} |")
        print(f"| pre-commit (checks on, warm) + job `true {{affected}} {{packages}}` | {affected[0]:.1f} | {affected[1]:.1f} |")
        tests = time_runs(binary, repo, configs["checks-tests"], a.runs)
        print(f"| pre-commit (checks on, warm) + job `true {{affected}} {{packages}}`, `glob = \"*.test.ts\"` | {tests[0]:.1f} | {tests[1]:.1f} |")
        print(f"| {{affected}} for tests only, end to end (median difference) | {tests[0] - files[0]:.1f} | |")
        print(f"| {{affected}}/{{packages}} overhead end to end (median difference; includes running the longer command lines) | {affected[0] - files[0]:.1f} | |")
        ms, line = affected_ms(binary, repo, configs["checks-affected"], a.runs)
        print(f"| **{{affected}}/{{packages}} computed in process (`HOOKCTL_TIMINGS`, median)** | **{ms:.1f}** | |")
        print(f"\nlast timing line: `{line.strip()}`")
    finally:
        git(repo, "reset", "--hard", "-q")
        for f in configs.values():
            os.remove(f)
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
