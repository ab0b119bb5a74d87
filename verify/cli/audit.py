"""``python -m verify audit``: hunt for gradient bugs in any micrograd-style engine class.

Exit codes: 0 no fault found; 1 a fault found (a finding, and only then); 2 a
usage error (a malformed --engine, a bad number for --timeout, --deadline or
--memory, --ops naming an unknown op or one the engine lacks, an --html file
that cannot be written), an engine that
cannot be driven through the protocol (the class cannot be loaded, ``Cls(1.5)``
raises or has no ``.data``/``.grad``, there is no ``backward()`` or it needs
arguments), or the verifier itself failed on some program (a bug in verify,
reported loudly), or standard output that cannot be written (closed, full).
Every exit 2 says why in one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path

from micrograd.ops import OPS

from ..audit import DEFAULT_DEADLINE, DEFAULT_EXAMPLES, DEFAULT_MEMORY, DEFAULT_SEED, DEFAULT_TIMEOUT
from .output import emit, guarded, require_stdout

DESCRIPTION = """\
Audit a micrograd-style engine: a battery of every op it has in every operand
layout over each op's whole domain (tails and kinks included), graph shapes
(fan-out, diamonds, deep chains), then random programs; every run built through
the engine's own operators, judged against certified exact values, and each
distinct bug shrunk to a minimal program and blamed on the rule that is wrong. The engine runs
in a separate process (its own session, a memory limit, its output captured
and shown only labelled as the engine's) with a time limit per program and a
deadline for the whole audit.

SPEC is path/to/file.py:ClassName, notebook.ipynb:ClassName (its code cells are
run in order, IPython magics and shell lines skipped) or package.module:ClassName
(imported from the current folder first). The class must support Cls(x), .data,
.grad, .backward() with no arguments and one of x + y or x * y; every other op
and operand layout is probed, and those missing are reported "not tested".

Many engines at once (several --engine, a glob, --engines FILE, --jobs N,
--scheduler ADDRESS, --out DIR): python -m verify audit --engines FILE --help
"""

EPILOG = """\
exit codes:
  0  no fault found (fragilities alone, failures an accepted textbook formula
     for the op shows at the same point, are listed apart and exit 0)
  1  a fault found, or with --strict a fragility
  2  the audit could not be done: a usage error (malformed --engine, a bad
     --timeout, --deadline or --memory, --ops naming an unknown op or one the
     engine lacks, an --html FILE that cannot be written); an engine that
     cannot be driven through the protocol (the class cannot be loaded,
     Cls(1.5) raises or lacks .data or .grad, no backward(), or a backward()
     that needs arguments); or the verifier failed on some program (a bug in
     verify, never blamed on the engine: please report it); or
     standard output cannot be written (closed, full: one line on stderr
     says which)
  If the reader of standard output stops early (| head), the command ends
  quietly, with the exit code of the audit.
"""

_SIZE = re.compile(r"^\s*(?P<number>\d+(\.\d+)?)\s*(?P<unit>[KMG]i?B?|B)?\s*$", re.IGNORECASE)


def memory_size(text: str) -> int | None:
    """``2G``, ``512M``, ``1.5GiB``, ``none``: bytes (None for no limit); ``ValueError`` otherwise."""
    if text.strip().lower() in ("none", "off", "unlimited"):
        return None
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"--memory {text!r}: expected a size such as 2G or 512M, or none")
    unit = (match["unit"] or "B")[0].upper()
    size = int(float(match["number"]) * {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit])
    if size < 64 << 20:
        raise ValueError(f"--memory {text!r}: at least 64M (a Python process needs that much to start)")
    return size


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verify audit", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--engine", required=True, metavar="SPEC", help="the engine class to audit")
    parser.add_argument("--max-examples", type=int, default=DEFAULT_EXAMPLES, metavar="N",
                        help=f"programs to try (default {DEFAULT_EXAMPLES})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                        help=f"seed of the program generator (default {DEFAULT_SEED});"
                             " the same seed repeats the audit")
    parser.add_argument("--ops", metavar="LIST",
                        help=f"comma-separated ops to draw (default all the engine has): {', '.join(OPS)}")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="time limit per program before the engine counts as hung"
                             f" (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE, metavar="SECONDS",
                        help=f"time limit for the whole audit (default {DEFAULT_DEADLINE:g})")
    parser.add_argument("--memory", default=None, metavar="SIZE",
                        help=f"memory limit of the engine's process, e.g. 512M, 4G or none"
                             f" (default {DEFAULT_MEMORY >> 30}G)")
    parser.add_argument("--isolate", action="store_true",
                        help="run the engine read-only, with no network and a private /tmp (needs bwrap)")
    parser.add_argument("--strict", action="store_true",
                        help="fragilities (what a textbook formula also does there) exit 1 like faults")
    parser.add_argument("--json", action="store_true",
                        help="print the result as JSON (its JSON Schema, scalar and tensor engines alike:"
                             " verify/audit/audit.schema.json)")
    parser.add_argument("--html", metavar="FILE",
                        help="also write the report as an HTML page (what a notebook shows) to FILE")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--kind", choices=("auto", "scalar", "tensor"), default="auto",
                        help="a scalar (micrograd-style) or a tensor engine (default auto: a FILE.py:CLASS"
                             " whose class has tensor methods, a factory or .derivative is a tensor engine)")
    return parser


def main(argv: list[str]) -> int:
    """Run the command; every outcome is an exit code, never a traceback (see EPILOG)."""
    from .batch import wants_batch  # several engines, a glob, --engines, --jobs, --scheduler, --out

    if wants_batch(argv):
        from .batch import main as batch

        return guarded(lambda: batch(argv))
    return guarded(lambda: _main(argv))


def _main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's own exit: 0 for --help, 2 for bad usage
        return int(stop.code or 0)
    try:
        ops, memory = checked_options(args)
    except ValueError as error:
        return _error(str(error))
    if args.html is not None:
        unwritable = html_path_problem(args.html)
        if unwritable:  # seen before the audit runs, not after
            return _error(f"--html {args.html}: {unwritable}")

    require_stdout()  # before the audit's minutes, not after
    if args.kind == "tensor" or (args.kind == "auto" and _is_tensor_engine(args.engine)):
        return _tensor(args, memory)
    # Imported here: Hypothesis, SymPy and mpmath load only when an audit runs.
    from ..audit.api import audit
    from ..audit.engine.sandbox import EngineFailed, UnusableEngine
    from ..audit.engine.spec import UsageError
    from ..audit.render import render, to_dict

    def progress(line: str) -> None:
        if not args.quiet:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    try:
        result = audit(args.engine, max_examples=args.max_examples, seed=args.seed, ops=ops,
                       timeout=args.timeout, deadline=args.deadline, memory=memory, progress=progress,
                       strict=args.strict, isolate=args.isolate)
    except UsageError as error:
        return _error(str(error))
    except UnusableEngine as error:
        return _error(str(error), "unusable engine")
    except EngineFailed as failed:  # the worker failed outside a program (a finding needs a program)
        return _error(f"the engine's worker failed ({failed.kind}): {failed}", "unusable engine")
    if args.json:
        emit(json.dumps(to_dict(result), indent=2) + "\n", result.exit_code)
    else:
        from ..report.style import for_stream

        emit(render(result, for_stream(sys.stdout)), result.exit_code)
    failure = result.verifier_failure()
    if failure is not None:
        sys.stderr.write(f"python -m verify audit: {failure}\n")
    if args.html is not None:
        from ..audit.html import html_page

        try:
            Path(args.html).write_text(html_page(result), encoding="utf-8")
        except OSError as error:
            return _error(f"--html {args.html}: cannot write it: {error.strerror or error}")
        progress(f"wrote {args.html}")
    return result.exit_code


def checked_options(args: argparse.Namespace) -> tuple[list[str] | None, int | None]:
    """The ops and memory limit that ``--ops``, ``--max-examples``, ``--timeout``, ``--deadline`` and
    ``--memory`` ask for (a batch checks them the same way); ``ValueError`` says what is wrong."""
    ops = None
    if args.ops is not None:
        ops = [name.strip() for name in args.ops.split(",") if name.strip()]
        unknown = [name for name in ops if name not in OPS]
        if unknown or not ops:
            raise ValueError(f"--ops: unknown {'op' if len(unknown) == 1 else 'ops'} "
                             f"{', '.join(unknown) or '(none given)'}; known: {', '.join(OPS)}")
    if args.max_examples < 1:
        raise ValueError(f"--max-examples must be at least 1, not {args.max_examples}")
    for flag, value in (("--timeout", args.timeout), ("--deadline", args.deadline)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{flag} must be a finite number of seconds above 0, not {value!r}")
    return ops, DEFAULT_MEMORY if args.memory is None else memory_size(args.memory)


def _is_tensor_engine(spec: str) -> bool:
    """Whether ``spec`` names a tensor engine: only a ``FILE.py:CLASS`` can, and one short survey says."""
    path, _, name = spec.rpartition(":")
    if not path.endswith(".py") or not name.isidentifier():
        return False  # without loading the tensor audit
    from ..tensor.audit import is_tensor_engine

    return is_tensor_engine(spec)


def _tensor(args: argparse.Namespace, memory: int | None) -> int:
    """The tensor audit (``verify.tensor``) with this command's seed, deadline, timeout, memory,
    --isolate, --strict, --json and --html; an option it has no use for is a usage error, never
    ignored."""
    from ..tensor.audit import audit_tensor
    from ..tensor.runner import EngineUnusable

    unused = [flag for flag, given in (("--max-examples", args.max_examples != DEFAULT_EXAMPLES),
                                       ("--ops", args.ops is not None)) if given]
    if unused:
        return _error(f"{', '.join(unused)}: not for a tensor engine (its battery is fixed; "
                      "python -m verify.tensor --only TEXT picks programs)")
    if not args.quiet:
        sys.stderr.write(f"auditing {args.engine} as a tensor engine ...\n")
    try:
        result = audit_tensor(args.engine, seed=args.seed, deadline=args.deadline, strict=args.strict,
                              limit=args.timeout, memory=memory, isolate=args.isolate)
    except EngineUnusable as error:
        return _error(str(error), "unusable engine")
    text = json.dumps(result.to_json(), indent=2) if args.json else result.render()
    emit(text.rstrip("\n") + "\n", result.exit_code)
    if args.html is not None:
        from ..tensor.html import html_page

        try:
            Path(args.html).write_text(html_page(result), encoding="utf-8")
        except OSError as error:
            return _error(f"--html {args.html}: cannot write it: {error.strerror or error}")
        if not args.quiet:
            sys.stderr.write(f"wrote {args.html}\n")
    return result.exit_code


def html_path_problem(path: str) -> str:
    """Why ``path`` cannot take the HTML report ("" if it can): checked before the audit runs."""
    target = Path(path)
    if target.is_dir():
        return "is a folder"
    folder = target.parent
    if not folder.is_dir():
        return f"no folder {str(folder)!r}"
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return "not writable"
    return ""


def _error(message: str, what: str = "error") -> int:
    """Say why on one line of stderr; exit code 2."""
    line = " ".join(message.split())
    sys.stderr.write(f"python -m verify audit: {what}: {line}\n")
    return 2
