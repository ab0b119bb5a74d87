"""``python -m verify``: audit one formula (``expr``) or a whole engine (``audit``).

Exit codes, as each command's ``--help`` gives them:

- ``expr``: 0 every witness agrees; 1 a gradient or forward fault was found;
  2 bad input, a point where the formula or its gradient is undefined, an
  inconclusive check, or a usage error.
- ``audit``: 0 no fault found; 1 a fault found; 2 a usage error, an
  unusable engine, or the verifier failed on some program (a bug in verify).
"""

from __future__ import annotations

import sys

USAGE = """usage: python -m verify {expr,audit} ...

  expr    audit one formula or micrograd snippet      (python -m verify expr --help)
  audit   audit a micrograd-style engine class        (python -m verify audit --help)

exit codes: 0 no fault, 1 fault found, 2 anything else (bad input, undefined or
inconclusive, usage error, unusable engine, a verifier failure): see each --help
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    # Imported lazily: each command pulls in SymPy and friends only when used.
    if command == "expr":
        from .cli.expr import main as run
    elif command == "audit":
        from .cli.audit import main as run
    else:
        sys.stderr.write(f"python -m verify: unknown command {command!r}\n\n{USAGE}")
        return 2
    return run(rest)


if __name__ == "__main__":
    sys.exit(main())
