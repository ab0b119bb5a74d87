"""Every test engine through `python -m verify audit --json`, timing aside: record findings, or compare.

Run: PYTHONPATH=. python benchmarks/audit_json_compare.py record DIR [--max-examples N] [--jobs J] [--only S]
     PYTHONPATH=. python benchmarks/audit_json_compare.py compare DIR [same options]

The engines are those the tests use: every entry of tests/engines/zoo/manifest.py, every class
of tests/engines/planted.py, reference.py, lecture.py and tests/engines/sandbox/*.py, and every
class a notebook of tests/engines/notebooks/ defines. Each runs in its own process with `-q`
and the CLI's defaults (seed 0, timeout, deadline, memory) apart from --max-examples (default
20, so a whole pass stays within minutes). Fields that measure time are dropped, and durations
inside messages are written "<t> s"; what is left
(coverage, behaviour, findings, their minimal programs and wording, the exit code) is written to
DIR/<engine>.json, or compared with it; the checkout's folder is written <root>, so a baseline
may be recorded from a copy of an older commit. A refactoring that changes no behaviour compares equal;
the exit status is 1 when an engine differs, and each difference is printed.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ROOT / "tests" / "engines"
TIMING = re.compile(r"(^|_)seconds$")
"""Keys whose values measure time (seconds, found_seconds, shrink_seconds, ...)."""
DURATION = re.compile(r"\b\d+(\.\d+)? s\b")
"""A duration inside a message ("no answer within 1.00066 s"): written <t> s."""


def classes_in(path: Path) -> list[str]:
    """Top-level class names of a Python file, in order."""
    tree = ast.parse(path.read_text())
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)]


def notebook_classes(path: Path) -> list[str]:
    """Class names a notebook's code cells define at the top level."""
    cells = json.loads(path.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return re.findall(r"^class (\w+)", text, flags=re.MULTILINE)


def engines() -> list[str]:
    """Every engine spec the tests audit, each once."""
    sys.path.insert(0, str(ENGINES / "zoo"))
    import manifest  # type: ignore[import-not-found]

    specs = [f"{ENGINES / 'zoo' / entry.file}:{entry.cls}" for entry in manifest.ENTRIES]
    for name in ("planted.py", "reference.py", "lecture.py"):
        specs += [f"{ENGINES / name}:{cls}" for cls in classes_in(ENGINES / name)]
    for path in sorted((ENGINES / "sandbox").glob("*.py")):
        specs += [f"{path}:{cls}" for cls in classes_in(path)]
    for path in sorted((ENGINES / "notebooks").glob("*.ipynb")):
        specs += [f"{path}:{cls}" for cls in notebook_classes(path)]
    return list(dict.fromkeys(specs))


def untimed(data: Any) -> Any:
    """``data`` without the fields that measure time."""
    if isinstance(data, dict):
        return {k: untimed(v) for k, v in data.items() if not TIMING.search(k)}
    if isinstance(data, list):
        return [untimed(v) for v in data]
    if isinstance(data, str):
        return DURATION.sub("<t> s", data)
    return data


def audit(spec: str, max_examples: int) -> dict[str, Any]:
    """The audit's JSON for ``spec`` without timing, with its exit code and any non-JSON output."""
    argv = [sys.executable, "-m", "verify", "audit", "--engine", spec, "--json", "-q",
            "--max-examples", str(max_examples)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=None, check=False)
    try:  # the checkout's folder as <root>, so a copy elsewhere compares equal
        body: Any = untimed(json.loads(done.stdout.replace(str(ROOT), "<root>")))
    except json.JSONDecodeError:
        body = {"stdout": done.stdout}
    return {"exit": done.returncode, "json": body}


def recorded(path: Path) -> str:
    """A recorded answer, read through ``untimed`` again: one recorded before a filter was added compares."""
    return json.dumps(untimed(json.loads(path.read_text())), indent=1, sort_keys=True) + "\n"


def file_name(spec: str) -> str:
    """A file name for ``spec``: its path below tests/engines, with / and : as _."""
    return re.sub(r"[/:]", "_", str(Path(spec).relative_to(ENGINES))) + ".json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("record", "compare"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=[], help="engines whose spec contains one of these")
    args = parser.parse_args(argv)
    specs = [s for s in engines() if not args.only or any(o in s for o in args.only)]
    args.folder.mkdir(parents=True, exist_ok=True)
    differ = 0

    def one(spec: str) -> tuple[str, dict[str, Any]]:
        return spec, audit(spec, args.max_examples)

    with ThreadPoolExecutor(args.jobs) as pool:
        for spec, got in pool.map(one, specs):
            path = args.folder / file_name(spec)
            text = json.dumps(got, indent=1, sort_keys=True) + "\n"
            if args.mode == "record":
                path.write_text(text)
                print(f"recorded {path.name} (exit {got['exit']})", flush=True)
            elif not path.exists():
                differ += 1
                print(f"NEW {path.name}: no recorded answer", flush=True)
            elif recorded(path) != text:
                differ += 1
                (args.folder / (path.name + ".now")).write_text(text)
                print(f"DIFFERS {path.name}: see {path.name}.now", flush=True)
            else:
                print(f"same {path.name}", flush=True)
    print(f"{len(specs)} engines, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
