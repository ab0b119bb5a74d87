"""``python -m verify.tensor SPEC``: audit a tensor engine from the command line.

Exit codes: 0 no wrong rule found (also for an engine that only loses digits,
reported as a fragility); 1 a finding (or, with --strict, a fragility); 2 a
usage error or an engine that cannot be loaded or driven (one line on stderr,
never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys

from .ops import DIALECTS

DESCRIPTION = """\
Audit a tensor engine (numpy inside, a numpy- or torch-style API, or
minitorch's Scalar): a battery of every op on 0-d to 3-d shapes, broadcasting
patterns, reductions over each axis, matmul shapes, permutations and softmax
compositions, each run in a worker process and judged op by op against what a
correct float64 engine may compute; each finding shrunk to the smallest shapes
that still show it. SPEC is path/to/file.py:ClassName."""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m verify.tensor", description=DESCRIPTION)
    parser.add_argument("spec", metavar="SPEC", nargs="?")
    parser.add_argument("--json", action="store_true",
                        help="print the result as JSON (its JSON Schema: --schema)")
    parser.add_argument("--schema", action="store_true",
                        help="print the JSON Schema of --json (the tensor branch of"
                             " verify/audit/audit.schema.json) and exit")
    parser.add_argument("--strict", action="store_true", help="a fragility (digits lost) exits 1")
    parser.add_argument("--isolate", action="store_true",
                        help="run the engine read-only, with no network and a private /tmp (needs bwrap)")
    parser.add_argument("--dialect", choices=DIALECTS, help="the engine's API (default: detected)")
    parser.add_argument("--only", metavar="TEXT", help="run only the battery programs whose name has TEXT")
    parser.add_argument("--seed", type=int, default=0, help="the battery's random values (default 0)")
    parser.add_argument("--deadline", type=float, default=60.0,
                        help="seconds for the whole audit (default %(default)g)")
    parser.add_argument("--no-shrink", action="store_true", help="report findings on the battery's shapes")
    parser.add_argument("--random", type=int, default=30, metavar="N",
                        help="random programs after the battery (default %(default)s)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    if args.schema:
        from .schema import SCHEMA

        print(json.dumps(SCHEMA, indent=1))
        return 0
    if args.spec is None:
        print("error: give SPEC (path/to/file.py:ClassName)", file=sys.stderr)
        return 2
    from .audit import audit_tensor
    from .runner import EngineUnusable

    try:
        result = audit_tensor(args.spec, seed=args.seed, deadline=args.deadline, dialect=args.dialect,
                              shrink=not args.no_shrink, only=args.only, random=max(0, args.random),
                              strict=args.strict, isolate=args.isolate)
    except EngineUnusable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result.to_json(), indent=1) if args.json else result.render())
    return result.exit_code
