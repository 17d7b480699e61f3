#!/usr/bin/env python3
"""Export one commit of a bare mirror into a fresh git repository, tolerating missing blobs.

    export.py MIRROR_GIT_DIR COMMIT OUT_DIR

A mirror brought in by the search tool's `fetch` may lack its largest blobs, so `git archive` and
`git checkout` can fail. This walks `git ls-tree -r -z COMMIT`, reads each blob through one
`git cat-file --batch` pipe, writes regular files (mode kept), symlinks (mode 120000) and skips
submodules; a missing blob becomes an empty file of the same path, and is listed. Then OUT_DIR is `git init`ed, everything is
added and committed once ("export <commit>"), so the index and HEAD are the pinned tree.
Prints one JSON line: {"files": N, "missing": [paths...], "submodules": N}.
"""
import json
import os
import subprocess
import sys


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    mirror, commit, out = sys.argv[1:]
    if os.path.exists(out) and os.listdir(out):
        print(f"export.py: {out} exists and is not empty", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    listing = subprocess.run(
        ["git", "--git-dir", mirror, "ls-tree", "-r", "-z", commit],
        check=True, capture_output=True).stdout
    entries = []
    submodules = 0
    for rec in listing.split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        mode, kind, oid = meta.split(b" ")
        if kind == b"commit":
            submodules += 1
            continue
        entries.append((mode.decode(), oid.decode(), path.decode("utf-8", "surrogateescape")))
    cat = subprocess.Popen(["git", "--git-dir", mirror, "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    missing = []
    written = 0
    for mode, oid, path in entries:
        cat.stdin.write(oid.encode() + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        dest = os.path.join(out, path)
        if len(header) < 2 or header[1] == b"missing":
            # An empty file in its place (the largest blobs: fonts, images): the tree keeps
            # every path, so imports of it resolve as in a real checkout.
            missing.append(path)
            if mode != "120000":
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                open(dest, "wb").close()
            continue
        size = int(header[2])
        data = cat.stdout.read(size)
        cat.stdout.read(1)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if mode == "120000":
            os.symlink(os.fsdecode(data), dest)
        else:
            with open(dest, "wb") as f:
                f.write(data)
            if mode == "100755":
                os.chmod(dest, 0o755)
        written += 1
    cat.stdin.close()
    cat.wait()
    env = dict(os.environ, GIT_AUTHOR_NAME="real-repos", GIT_AUTHOR_EMAIL="real-repos@example.invalid",
               GIT_COMMITTER_NAME="real-repos", GIT_COMMITTER_EMAIL="real-repos@example.invalid",
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    for var in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"):
        env.pop(var, None)
    git = ["git", "-C", out]
    subprocess.run(git + ["init", "-q"], check=True, env=env)
    # The export's own ignore rules would drop committed-but-ignored files: add with -f.
    subprocess.run(git + ["add", "-A", "-f", "."], check=True, env=env)
    subprocess.run(git + ["-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m",
                          f"export {commit}"], check=True, env=env)
    print(json.dumps({"files": written, "missing": missing, "submodules": submodules}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
