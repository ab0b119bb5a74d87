"""``python -m verify audit`` with many engines: several ``--engine``, a glob, ``--engines FILE``,
``--jobs N``, ``--scheduler ADDRESS``, ``--out DIR``.

Each engine is audited exactly as ``python -m verify audit --engine SPEC`` would alone (same
seed and options, its own process, sandbox and deadline); the summary goes to stdout, progress to
stderr. Exit codes: 0 no engine has a fault; 1 some engine has a fault (and every engine was
audited); 2 some engine could not be audited or vouched for, a usage error (no engine, a glob that
matches nothing, a bad list line or option), Dask missing or its scheduler unreachable, an output
folder that cannot be written, or the batch was interrupted (what was done is kept in --out).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..audit import DEFAULT_DEADLINE, DEFAULT_EXAMPLES, DEFAULT_MEMORY, DEFAULT_SEED, DEFAULT_TIMEOUT

BATCH_FLAGS = ("--engines", "--jobs", "--scheduler", "--out")

DESCRIPTION = """\
Audit many micrograd-style engines, a class's submissions, each exactly as
`python -m verify audit --engine SPEC` would alone, and summarise the class:
per engine its verdict, faults, fragilities and root-cause ops; per op and
kind of bug how many engines have it, with the shortest program that shows it.

Engines: --engine SPEC (repeatable; a glob in the path expands, quote it:
'submissions/*/engine.py:Value'), --engines FILE (one "SPEC [LABEL]" a line,
# comments, paths relative to FILE's folder; - reads standard input).
"""

EPILOG = """\
exit codes:
  0  no engine has a fault
  1  some engine has a fault (and every engine was audited)
  2  some engine could not be audited or vouched for (unusable, the verifier
     failed, its audit stopped); a usage error; Dask missing or the scheduler
     unreachable; --out cannot be written; or the batch was interrupted (the
     results stored in --out stay: the same command again does the rest)
"""


def wants_batch(argv: list[str]) -> bool:
    """Whether ``python -m verify audit ARGV`` asks for a batch: a batch flag, two engines, or a glob."""
    engines = []
    for i, word in enumerate(argv):
        if word.split("=", 1)[0] in BATCH_FLAGS:
            return True
        if word == "--engine" and i + 1 < len(argv):
            engines.append(argv[i + 1])
        elif word.startswith("--engine="):
            engines.append(word.split("=", 1)[1])
    return len(engines) > 1 or any(set("*?[") & set(e.rpartition(":")[0]) for e in engines)


def _parser() -> argparse.ArgumentParser:
    from micrograd.ops import OPS

    parser = argparse.ArgumentParser(
        prog="python -m verify audit", description=DESCRIPTION, epilog=EPILOG, allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--engine", action="append", default=[], metavar="SPEC",
                        help="an engine class to audit (repeatable; a glob in the path expands)")
    parser.add_argument("--engines", action="append", default=[], metavar="FILE",
                        help="a file of engines, one 'SPEC [LABEL]' a line (- for standard input)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="audits run side by side on this machine (default 1)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the audits on the Dask cluster of this scheduler (tcp://host:8786)")
    parser.add_argument("--out", metavar="DIR",
                        help="store each engine's result and report here, and the summary; "
                             "a re-run reuses what is there")
    parser.add_argument("--max-examples", type=int, default=DEFAULT_EXAMPLES, metavar="N",
                        help=f"programs to try per engine (default {DEFAULT_EXAMPLES})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                        help=f"seed of the program generator (default {DEFAULT_SEED})")
    parser.add_argument("--ops", metavar="LIST",
                        help=f"comma-separated ops to draw (default all each engine has): {','.join(OPS)}")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit per program (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE, metavar="SECONDS",
                        help=f"time limit for each engine's audit (default {DEFAULT_DEADLINE:g})")
    parser.add_argument("--memory", default=None, metavar="SIZE",
                        help=f"memory limit of each engine's process (default {DEFAULT_MEMORY >> 30}G)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def main(argv: list[str]) -> int:
    from .audit import checked_options

    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's own exit: 0 for --help, 2 for bad usage
        return int(stop.code or 0)
    if args.jobs < 1:
        return _error(f"--jobs must be at least 1, not {args.jobs}")
    if args.scheduler is not None and args.jobs != 1:
        return _error("--jobs and --scheduler exclude each other: the cluster's workers set how many "
                      "run at once")
    try:
        ops, memory = checked_options(args)
    except ValueError as error:
        return _error(str(error))

    from ..batch import specs
    from ..batch.api import audit_many
    from ..batch.cluster import ClusterError

    try:
        listed = []
        for path in args.engines:
            listed += specs.read_list(path, _read(path))
        engines = specs.engines(args.engine, listed)
    except (specs.SpecError, OSError, UnicodeDecodeError) as error:
        return _error(str(error))
    if args.out is not None:
        try:
            os.makedirs(os.path.join(args.out, "engines"), exist_ok=True)
        except OSError as error:
            return _error(f"--out {args.out}: {error.strerror or error}")
    try:
        result = audit_many({e.label: e.spec for e in engines}, jobs=args.jobs, scheduler=args.scheduler,
                            out=args.out, max_examples=args.max_examples, seed=args.seed, ops=ops,
                            timeout=args.timeout, deadline=args.deadline, memory=memory,
                            progress=None if args.quiet else sys.stderr)
    except (ClusterError, specs.SpecError) as error:
        return _error(str(error))
    except KeyboardInterrupt:
        kept = f"; the finished results are kept in {args.out}: the same command again does the rest" \
            if args.out else ""
        sys.stderr.write(f"\npython -m verify audit: interrupted{kept}\n")
        return 2
    except OSError as error:
        return _error(f"--out {args.out}: {error}")
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(result.render())
    if args.out is not None and not args.quiet:
        names = ("summary.csv", "summary.jsonl", "index.html")
        sys.stderr.write(f"written: {', '.join(os.path.join(args.out, n) for n in names)}\n")
    return result.exit_code


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8-sig") as stream:
        return stream.read()


def _error(message: str) -> int:
    """Say why on one line of stderr; exit code 2."""
    sys.stderr.write(f"python -m verify audit: error: {' '.join(message.split())}\n")
    return 2
