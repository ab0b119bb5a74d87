"""benchmarks/README.md's measured numbers, written by the benchmark scripts themselves.

    python benchmarks/readme.py --write          # run every script the README names, rewrite its blocks
    python benchmarks/readme.py --write bench_expr.py     # only that script's blocks
    python benchmarks/readme.py                  # check the blocks' provenance, run nothing

A measured block is a marker line, then a ```` ```text ```` block:

<!-- bench: bench_expr.py --runs 7 | source 0123456789ab | Python 3.11.7, 2 cores, load 1.2, 2026-12-06 -->
```text
$ PYTHONPATH=. python benchmarks/bench_expr.py --runs 7
(the script's standard output, as it printed it)
```

``--write`` runs the command and records, in the marker, a fingerprint of the
script's source and where and when it ran (the Python, the cores, the load average
just before: wall-clock times move with it). The check (``tests/test_benchmarks_readme.py``
runs it) needs no run: every block follows a marker whose script exists and
whose fingerprint is the script's source now (a script whose output code
changed has stale numbers), the block's first line is the marker's command,
and the prose outside the blocks holds no measured number (those drift).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
TIMEOUT = 1800

MARKER = re.compile(r"^<!-- bench: (?P<script>[\w.-]+\.py)(?P<args>(?: [^|]*?)?)"
                    r"(?: \| source (?P<source>[0-9a-f]{12}) \| (?P<where>[^|]*?))? -->$")
MEASURED = re.compile(r"\d+(?:[.,]\d+)*\s?(?:s|ms|µs|ns|x|bytes)\b|\d+(?:\.\d+)?x\b")
"""A timing, a ratio or a size: allowed only inside generated blocks."""


@dataclass(frozen=True)
class Block:
    """One measured block: the marker's line, the script and its arguments, and the block's lines."""

    marker_line: int  # 0-based index of the marker in the README's lines
    script: str
    args: tuple[str, ...]
    source: str | None
    where: str | None
    body: tuple[str, ...]  # the lines between the fences
    end_line: int  # index of the closing fence

    @property
    def command(self) -> str:
        return " ".join(["PYTHONPATH=. python", f"benchmarks/{self.script}", *map(shlex.quote, self.args)])


def fingerprint(script: str) -> str:
    """The first 12 hex digits of the script's source's SHA-256: what the recorded numbers came from."""
    return hashlib.sha256((HERE / script).read_bytes()).hexdigest()[:12]


def blocks(lines: list[str]) -> list[Block]:
    """Every marker and the text block after it; ValueError where a marker has no block."""
    found = []
    for i, line in enumerate(lines):
        match = MARKER.match(line)
        if match is None:
            if line.startswith("<!-- bench"):
                raise ValueError(f"line {i + 1}: not a bench marker: {line!r}")
            continue
        if i + 1 >= len(lines) or lines[i + 1] != "```text":
            raise ValueError(f"line {i + 1}: the marker is not followed by a ```text block")
        end = next((j for j in range(i + 2, len(lines)) if lines[j] == "```"), None)
        if end is None:
            raise ValueError(f"line {i + 2}: the block after the marker is never closed")
        found.append(Block(i, match["script"], tuple(shlex.split(match["args"] or "")), match["source"],
                           match["where"], tuple(lines[i + 2:end]), end))
    return found


def problems(text: str) -> list[str]:
    """Why the README's measured numbers may not be what the scripts produce now; [] when in sync."""
    lines = text.splitlines()
    try:
        found = blocks(lines)
    except ValueError as error:
        return [str(error)]
    if not found:
        return ["no measured block: every number must come from a script"]
    said = []
    inside: set[int] = set()
    for block in found:
        inside.update(range(block.marker_line, block.end_line + 1))
        where = f"line {block.marker_line + 1} ({block.script})"
        if not (HERE / block.script).is_file():
            said.append(f"{where}: no script benchmarks/{block.script}")
            continue
        if block.source is None:
            said.append(f"{where}: never generated: run python benchmarks/readme.py --write {block.script}")
        elif block.source != fingerprint(block.script):
            said.append(f"{where}: the script changed since its numbers were measured: "
                        f"run python benchmarks/readme.py --write {block.script}")
        if not block.body or block.body[0] != f"$ {block.command}":
            said.append(f"{where}: the block does not start with the marker's command `$ {block.command}`")
        elif len(block.body) < 2:
            said.append(f"{where}: the block holds no output")
    fenced = False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        if i in inside or fenced:
            continue
        for number in MEASURED.findall(line):
            said.append(f"line {i + 1}: a measured number written by hand ({number!r}): it drifts; "
                        "quote a generated block instead")
    return said


def run(block: Block) -> list[str]:
    """The block's new lines: the command, then what the script printed (exit 0 required)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(HERE / block.script), *block.args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{block.script} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    output = done.stdout.replace(str(ROOT), ".").rstrip("\n").splitlines()
    return [f"$ {block.command}", *output]


def write(text: str, only: set[str] | None = None) -> str:
    """The README with every block (or those of the scripts in ``only``) measured again."""
    lines = text.splitlines()
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    for block in reversed(blocks(lines)):  # from the end: earlier indices stay valid
        if only is not None and block.script not in only:
            continue
        print(f"running {block.command}", file=sys.stderr)
        load = _load()  # before the run: what else the machine was doing (wall-clock times move with it)
        body = run(block)
        where = f"Python {platform.python_version()}, {os.cpu_count()} cores{load}, {today}"
        args = "".join(" " + shlex.quote(a) for a in block.args)
        marker = f"<!-- bench: {block.script}{args} | source {fingerprint(block.script)} | {where} -->"
        lines[block.marker_line:block.end_line + 1] = [marker, "```text", *body, "```"]
    return "\n".join(lines) + "\n"


def _load() -> str:
    """", load 1.9" (the one-minute load average), or "" where the system does not tell it."""
    try:
        return f", load {os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="run the scripts and rewrite their blocks")
    parser.add_argument("scripts", nargs="*", help="with --write, only these scripts' blocks")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    if args.write:
        README.write_text(write(text, set(args.scripts) or None), encoding="utf-8")
    said = problems(README.read_text(encoding="utf-8"))
    for line in said:
        print(line, file=sys.stderr)
    return 1 if said else 0


if __name__ == "__main__":
    sys.exit(main())
