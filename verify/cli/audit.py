"""``python -m verify audit``: hunt for gradient bugs in any micrograd-style engine class.

Exit codes: 0 no fault found; 1 a fault found; 2 usage error, unusable engine,
or the verifier itself failed on some program (a bug in verify, reported loudly).
"""

from __future__ import annotations

import argparse
import json
import sys

from micrograd.ops import OPS

from ..audit import DEFAULT_EXAMPLES, DEFAULT_SEED, DEFAULT_TIMEOUT

DESCRIPTION = """\
Audit a micrograd-style engine: random expression programs built through the
engine's own operators, judged exactly (SymPy) and by high-precision finite
differences (mpmath), and shrunk to a minimal failing program. The engine runs
in a separate process with a time limit per program.

SPEC is path/to/file.py:ClassName or package.module:ClassName. The class must
support Cls(x), .data, .grad, .backward(), x + y, x + 2.0 and x - 2.0; other
ops are probed and those missing are reported "not tested".
"""

EPILOG = """\
exit codes:
  0  no fault found
  1  a fault found
  2  a usage error, an unusable engine, or the verifier failed on some program
     (a bug in verify, never blamed on the engine: please report it)
"""


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
                        help=f"comma-separated ops to draw (default all the engine has): {','.join(OPS)}")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="time limit per program before the engine counts as hung"
                             f" (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's own exit: 0 for --help, 2 for bad usage
        return int(stop.code or 0)
    ops = None
    if args.ops is not None:
        ops = [name.strip() for name in args.ops.split(",") if name.strip()]
        unknown = [name for name in ops if name not in OPS]
        if unknown or not ops:
            parser.print_usage(sys.stderr)
            sys.stderr.write(f"python -m verify audit: error: --ops: unknown op(s) {unknown}; "
                             f"known: {', '.join(OPS)}\n")
            return 2
    if args.max_examples < 1 or args.timeout <= 0:
        parser.print_usage(sys.stderr)
        sys.stderr.write("python -m verify audit: error: --max-examples and --timeout must be positive\n")
        return 2

    # Imported here: Hypothesis, SymPy and mpmath load only when an audit runs.
    from ..audit.api import audit
    from ..audit.render import render, to_dict
    from ..audit.sandbox import UnusableEngine
    from ..audit.spec import UsageError

    def progress(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    try:
        result = audit(args.engine, max_examples=args.max_examples, seed=args.seed, ops=ops,
                       timeout=args.timeout, progress=progress)
    except UsageError as error:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"python -m verify audit: error: {error}\n")
        return 2
    except UnusableEngine as error:
        sys.stderr.write(f"python -m verify audit: unusable engine: {error}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(to_dict(result), indent=2) + "\n")
    else:
        sys.stdout.write(render(result))
    failure = result.verifier_failure()
    if failure is not None:
        sys.stderr.write(f"python -m verify audit: {failure}\n")
    return result.exit_code
