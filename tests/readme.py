"""The README, run: every fenced block is executed or checked, and every output it shows is compared.

    python tests/readme.py            # check: run every block, print a diff for each output that differs
    python tests/readme.py --write    # regenerate the README's output blocks from real runs
    python tests/readme.py --pending  # ... also the blocks in PENDING (with --write: rewrite them too)

``tests/test_readme.py`` runs the same checks, one test per block.

Conventions (what a block is, from its fence and the blocks around it):

- ```` ```text ```` whose first line is ``$ COMMAND``: ``COMMAND`` runs in bash in the
  repository's folder, and the lines after it are its output (stdout and stderr as a terminal
  shows them, both to the same pipe). A command that exits non-zero ends its output with a line
  ``[exit N]``. A block may hold several ``$`` commands, each followed by its output.
- ```` ```text ```` whose first line is ``>>> ``: a Python session; each ``>>>`` statement (with its
  ``...`` lines) is run as the interactive interpreter runs it, and the lines after it are what it
  shows (an expression's repr, what it prints, an exception as its last traceback line).
- ```` ```python ```` directly followed (blank lines only between) by ```` ```text ````: the code runs
  as a script and the text block is its whole output.
- ```` ```python ```` that defines ``test_`` functions: it is run with pytest as a test file of its
  own, in an empty folder with Hypothesis' default settings, and must pass.
- any other ```` ```python ````: runs as a script; it must succeed and print nothing.
- ```` ```bash ````: each line is a command. ``pip install ...`` is checked, not run: ``.`` and
  ``micrograd-verified`` must be this project, each ``[extra]`` must exist in pyproject.toml and
  each other name must be one of its dependencies; ``tox`` is checked (tox.ini has its
  environments), not run: the tests run inside it. Every other command runs and must exit 0.
- ``<!-- readme: excerpt PATH -->`` before a block: the block is an excerpt of PATH, its lines in
  order, ``...`` standing for anything left out.
- ``<!-- readme: figure -->`` before a block: not output (a diagram); nothing to run.

Any other block is an error: every output shown must be one that a check regenerates.

Outputs are compared exactly, but for three things that must vary: the repository's absolute
path is written ``/path/to/micrograd-verified``, timings (a number before ``s``, ``ms`` or
``µs``) match any number, and trailing spaces are dropped (Markdown keeps none). Commands run
with ``COLUMNS=80``, ``PYTHONPATH`` at the repository, ``python`` this interpreter, and no
``HYPOTHESIS_PROFILE``.

PENDING names the blocks whose output other work is changing (the audit's), by their first line
or command: they are listed, not compared, until that work lands and the list is emptied.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import itertools
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PLACEHOLDER = "/path/to/micrograd-verified"
TIMEOUT = 300

PENDING: dict[str, str] = {}

_FENCE = re.compile(r"(`{3,})([^`]*)")  # CommonMark: an info string has no backtick
_DIRECTIVE = re.compile(r"<!--\s*readme:\s*(.*?)\s*-->")
_TIMING = re.compile(r"\d+(?:\.\d+)?(?= ?(?:s|ms|µs)\b)")


@dataclass
class Block:
    """A fenced block: ``start`` and ``end`` are the 0-based lines of its fences."""

    start: int
    end: int
    info: str
    body: list[str]
    directive: str | None = None
    gap_after: bool = True  # whether anything but blank lines separates it from the next block

    @property
    def first(self) -> str:
        return self.body[0] if self.body else ""


def blocks_of(text: str) -> list[Block]:
    lines = text.split("\n")
    found: list[Block] = []
    i = 0
    pending_directive: str | None = None
    while i < len(lines):
        line = lines[i]
        directive = _DIRECTIVE.fullmatch(line.strip())
        if directive:
            pending_directive = directive.group(1)
            i += 1
            continue
        fence = _FENCE.fullmatch(line)
        if fence:
            info, ticks = fence.group(2).strip(), fence.group(1)
            j = i + 1
            while j < len(lines) and not re.fullmatch(f"{ticks}`*\\s*", lines[j]):
                j += 1
            if j == len(lines):
                raise ValueError(f"README line {i + 1}: a fence that is never closed")
            found.append(Block(i, j, info, lines[i + 1:j], pending_directive))
            pending_directive = None
            i = j + 1
            continue
        if line.strip():
            pending_directive = None
        i += 1
    for a, b in itertools.pairwise(found):
        a.gap_after = any(x.strip() for x in lines[a.end + 1:b.start])
    return found


@dataclass
class Check:
    """One thing to run or check, the block it came from, and (for outputs) the block it regenerates."""

    kind: str  # command, session, script, tests, excerpt, install, tox, run, figure, unclassified
    key: str  # what PENDING and test ids name it by
    line: int  # 1-based README line
    source: str  # the command or code
    expected: str | None = None  # the output shown, or None when nothing is shown
    output: Block | None = None  # the block that shows the output
    part: int = 0  # which $ command of its block
    directive: str | None = None

    @property
    def pending(self) -> str | None:
        return PENDING.get(self.key)


def plan(text: str) -> list[Check]:
    """Every check the README asks for, in order."""
    checks: list[Check] = []
    found = blocks_of(text)
    used: set[int] = set()
    for k, block in enumerate(found):
        if k in used:
            continue
        line = block.start + 1
        nxt = found[k + 1] if k + 1 < len(found) else None
        directive = block.directive or ""
        if directive == "figure":
            checks.append(Check("figure", block.first, line, "\n".join(block.body)))
        elif directive.startswith("excerpt "):
            checks.append(Check("excerpt", block.first, line, "\n".join(block.body),
                                directive=directive.removeprefix("excerpt ").strip()))
        elif block.info == "text" and block.first.startswith("$ "):
            checks += _transcripts(block)
        elif block.info == "text" and block.first.startswith(">>> "):
            checks.append(Check("session", block.first, line, "\n".join(block.body),
                                "\n".join(block.body), block))
        elif block.info == "python":
            source = "\n".join(block.body)
            if re.search(r"^def test_", source, re.M):
                checks.append(Check("tests", block.first, line, source))
            elif nxt is not None and nxt.info == "text" and not block.gap_after and not nxt.directive \
                    and not nxt.first.startswith(("$ ", ">>> ")):
                checks.append(Check("script", block.first, line, source, "\n".join(nxt.body), nxt))
                used.add(k + 1)
            else:
                checks.append(Check("script", block.first, line, source, ""))
        elif block.info == "bash":
            for offset, command in enumerate(block.body):
                if command.strip() and not command.lstrip().startswith("#"):
                    checks += _commands(command.strip(), line + 1 + offset)
        else:
            checks.append(Check("unclassified", block.first, line, "\n".join(block.body)))
    return checks


def _transcripts(block: Block) -> list[Check]:
    checks: list[Check] = []
    current: list[str] = []
    starts: list[int] = []
    for i, text in enumerate(block.body):
        if text.startswith("$ "):
            starts.append(i)
    for n, i in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(block.body)
        current = block.body[i + 1:stop]
        command = block.body[i][2:]
        checks.append(Check("command", block.body[i], block.start + 2 + i, command, "\n".join(current),
                            block, part=n))
    return checks


def _commands(line: str, number: int) -> list[Check]:
    """A bash line: each ``&&`` part is checked (pip install, tox) or run."""
    checks: list[Check] = []
    for part in _split_and(line):
        words = shlex.split(part, comments=True)
        if words[:2] == ["pip", "install"]:
            checks.append(Check("install", line, number, part.strip()))
        elif words == ["tox"]:
            checks.append(Check("tox", line, number, part.strip()))
        else:
            checks.append(Check("run", line, number, part.strip()))
    return checks


def _split_and(line: str) -> list[str]:
    code = line.split(" #", 1)[0] if " #" in line else line
    return [p for p in (x.strip() for x in code.split("&&")) if p]


# ---- running ----

@dataclass
class Outcome:
    ok: bool
    actual: str | None = None  # the output, for checks that show one
    message: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def environment(bin_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "NO_COLOR", "FORCE_COLOR")}
    env.update(COLUMNS="80", PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8", PYTHONHASHSEED="0",
               PATH=bin_dir + os.pathsep + env.get("PATH", ""))
    return env


@dataclass
class Runner:
    """Runs checks with ``python`` meaning this interpreter."""

    folder: Path
    _ran: dict[tuple[str, Path], tuple[int, str]] = field(default_factory=dict)

    @classmethod
    @contextlib.contextmanager
    def make(cls) -> Iterator[Runner]:
        """A runner whose scratch folder (and ``python``) lasts as long as the ``with``."""
        with tempfile.TemporaryDirectory(prefix="readme-") as tmp:
            folder = Path(tmp)
            (folder / "bin").mkdir()
            python = folder / "bin" / "python"  # a script, not a symlink: a venv python stays in its venv
            python.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} \"$@\"\n", encoding="utf-8")
            python.chmod(0o755)
            yield cls(folder)

    @property
    def env(self) -> dict[str, str]:
        return environment(str(self.folder / "bin"))

    def shell(self, command: str, cwd: Path = ROOT) -> tuple[int, str]:
        """Exit code and output of ``command`` in bash (the same command runs once per runner)."""
        if (command, cwd) not in self._ran:
            self._ran[command, cwd] = self._shell(command, cwd)
        return self._ran[command, cwd]

    def _shell(self, command: str, cwd: Path) -> tuple[int, str]:
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env=self.env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT, check=False)
        return done.returncode, done.stdout.decode("utf-8", errors="replace")

    def run(self, check: Check) -> Outcome:
        runner = getattr(self, "_" + check.kind, None)
        if runner is None:
            return Outcome(False, message=f"README line {check.line}: a {check.kind} block: nothing says "
                                          "what it is (see the conventions in tests/readme.py)")
        result: Outcome = runner(check)
        return result

    def _command(self, check: Check) -> Outcome:
        code, out = self.shell(check.source)
        lines = [*_shown(out).strip("\n").split("\n"), *([f"[exit {code}]"] if code else [])]
        return Outcome(True, "\n".join(lines).strip("\n"))

    def _run(self, check: Check) -> Outcome:
        code, out = self.shell(check.source)
        return Outcome(code == 0, message=f"`{check.source}` exited {code}:\n{out[-3000:]}")

    def _script(self, check: Check) -> Outcome:
        path = self.folder / f"readme_line_{check.line}.py"
        path.write_text(check.source + "\n", encoding="utf-8")
        code, out = self.shell(f"python {shlex.quote(str(path))}")
        if code:
            return Outcome(False, message=f"the python block at line {check.line} exited {code}:\n{out}")
        return Outcome(True, _shown(out).strip("\n"))

    def _tests(self, check: Check) -> Outcome:
        folder = self.folder / f"tests_line_{check.line}"
        folder.mkdir(exist_ok=True)
        path = folder / f"test_readme_line_{check.line}.py"
        path.write_text(check.source + "\n", encoding="utf-8")
        command = f"python -m pytest -q -p no:cacheprovider {shlex.quote(path.name)}"
        code, out = self.shell(command, cwd=folder)
        return Outcome(code == 0, message=f"pytest on the block at line {check.line} exited {code}:\n{out}")

    def _session(self, check: Check) -> Outcome:
        statements = _statements(check.source)
        done = subprocess.run([sys.executable, "-c", _SESSION], input="\0".join(s for s, _ in statements),
                              cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if done.returncode:
            return Outcome(False, message=done.stderr)
        outputs = done.stdout.split("\x01\n")[1:]
        lines: list[str] = []
        for (_, prompt), shown in zip(statements, outputs, strict=True):
            lines += prompt
            lines += [x for x in _shown(shown).split("\n") if x] if shown.strip() else []
        return Outcome(True, "\n".join(lines))

    def _excerpt(self, check: Check) -> Outcome:
        path = ROOT / (check.directive or "")
        if not path.is_file():
            return Outcome(False, message=f"excerpt of {check.directive}: no such file")
        missing = excerpt_mismatch(check.source, path.read_text(encoding="utf-8"))
        return Outcome(missing is None, message=f"line {check.line}: not in {check.directive} "
                                                f"(in order): {missing!r}")

    def _install(self, check: Check) -> Outcome:
        problem = install_problem(check.source)
        return Outcome(problem is None, message=problem or "")

    def _tox(self, check: Check) -> Outcome:
        config = (ROOT / "tox.ini").read_text(encoding="utf-8")
        envlist = re.search(r"^envlist\s*=\s*(.*)$", config, re.M)
        envs = {e.strip() for e in envlist.group(1).split(",")} if envlist else set()
        ok = {"tests", "lint", "type"} <= envs
        return Outcome(ok, message=f"tox.ini's envlist is {sorted(envs)}, not tests, lint and type")

    def _figure(self, check: Check) -> Outcome:
        return Outcome(True)


_SESSION = r"""
import sys, traceback
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
for source in sys.stdin.read().split("\0"):
    print("\x01", flush=True)
    try:
        exec(compile(source, "<stdin>", "single"), namespace)
    except BaseException as error:
        print("".join(traceback.format_exception_only(type(error), error)).rstrip())
    sys.stdout.flush()
"""


def _statements(session: str) -> list[tuple[str, list[str]]]:
    """Each ``>>>`` statement's source, and its prompt lines as shown."""
    out: list[tuple[str, list[str]]] = []
    for line in session.split("\n"):
        if line.startswith(">>> "):
            out.append((line[4:] + "\n", [line]))
        elif line.startswith("... ") or line == "...":
            source, prompt = out[-1]
            out[-1] = (source + line[4:] + "\n", [*prompt, line])
    # a compound statement ends with a blank line, as at the prompt
    return [(source + "\n" if source.count("\n") > 1 else source, prompt) for source, prompt in out]


def _shown(out: str) -> str:
    """What a README block may show of real output: the repository's path as a placeholder, no trailing
    spaces."""
    out = out.replace(str(ROOT), PLACEHOLDER)
    return "\n".join(line.rstrip() for line in out.split("\n"))


def same(expected: str, actual: str) -> bool:
    """Equal but for timings and trailing blank lines."""
    return _comparable(expected) == _comparable(actual)


def _comparable(text: str) -> str:
    return _TIMING.sub("#", "\n".join(line.rstrip() for line in text.strip("\n").split("\n")))


def excerpt_mismatch(excerpt: str, text: str) -> str | None:
    """The first excerpt line not found, in order, in ``text`` ('...' matches anything), else None."""
    lines = [line.strip() for line in text.split("\n")]
    at = 0
    for want in (line.strip() for line in excerpt.split("\n")):
        if want in ("", "..."):
            continue
        pattern = re.compile(".*?".join(re.escape(piece) for piece in want.split("...")))
        while at < len(lines) and not pattern.fullmatch(lines[at]):
            at += 1
        if at == len(lines):
            return want
        at += 1
    return None


def install_problem(command: str) -> str | None:
    """Why ``pip install ...`` would not install what the README means, or None."""
    config = _pyproject()
    project = config["project"]
    extras: dict[str, list[str]] = project.get("optional-dependencies", {})
    requirements = list(project.get("dependencies", [])) + [r for group in extras.values() for r in group]
    known = {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}
    for word in shlex.split(command, comments=True)[2:]:
        if word.startswith("-"):
            continue
        target = re.fullmatch(r"([^\[\]]+)(?:\[([^\]]*)\])?", word)
        if target is None:
            return f"`{command}`: cannot read {word!r}"
        name, wanted = target.group(1), target.group(2)
        if name in (".", "./") or name.lower() == project["name"]:
            for extra in (e.strip() for e in (wanted or "").split(",") if e.strip()):
                if extra not in extras:
                    return f"`{command}`: pyproject.toml has no extra {extra!r} (it has {sorted(extras)})"
        elif name.lower() not in known:
            return f"`{command}`: {name!r} is not a dependency of pyproject.toml"
    return None


def _pyproject() -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    loaded: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return loaded


# ---- regenerating ----

def regenerate(text: str, results: dict[int, Outcome], checks: list[Check]) -> str:
    """``text`` with every output block replaced by what its checks printed (timings kept if they are all
    that differs)."""
    lines = text.split("\n")
    bodies: dict[int, tuple[Block, list[str]]] = {}
    for n, check in enumerate(checks):
        outcome = results.get(n)
        block = check.output
        if outcome is None or block is None or outcome.actual is None or check.expected is None:
            continue
        actual = check.expected if same(check.expected, outcome.actual) else outcome.actual
        if check.kind == "command":
            body = bodies.get(block.start, (block, []))[1]
            body += [f"$ {check.source}", *([actual] if actual else [])]
            bodies[block.start] = (block, body)
        else:
            bodies[block.start] = (block, [actual])
    for start in sorted(bodies, reverse=True):
        block, body = bodies[start]
        lines[block.start + 1:block.end] = "\n".join(body).split("\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/readme.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md's output blocks from runs")
    parser.add_argument("--pending", action="store_true", help="also run (and with --write rewrite) PENDING")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    checks = plan(text)
    results: dict[int, Outcome] = {}
    failed = 0
    with Runner.make() as runner:
        for n, check in enumerate(checks):
            if check.pending and not args.pending:
                print(f"pending  line {check.line}: {check.key}  ({check.pending})")
                continue
            outcome = runner.run(check)
            results[n] = outcome
            if not outcome.ok:
                failed += 1
                print(f"FAILED   line {check.line}: {outcome.message}")
            elif check.expected is not None and outcome.actual is not None \
                    and not same(check.expected, outcome.actual):
                if not args.write:
                    failed += 1
                print(f"{'rewrote' if args.write else 'DIFFERS'}  line {check.line}: {check.key}")
                if not args.write:
                    sys.stdout.writelines(difflib.unified_diff(
                        (check.expected + "\n").splitlines(True), (outcome.actual + "\n").splitlines(True),
                        "README.md", "real output"))
            else:
                print(f"ok       line {check.line}: {check.key}")
    if args.write:
        new = regenerate(text, results, checks)
        if new != text:
            README.write_text(new, encoding="utf-8")
            print("README.md rewritten")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
