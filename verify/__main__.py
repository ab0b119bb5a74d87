"""``python -m verify``: audit one formula (``expr``) or a whole engine (``audit``).

Exit codes, as each command's ``--help`` gives them:

- ``expr``: 0 pass (every witness agrees); 1 fail (a gradient or forward
  fault was found); 2 inconclusive, undefined, bad input, a usage error, or
  input or output that cannot be read or written. A reader that stops early
  (``| head``) ends it quietly with the verdict's code.
- ``audit``: 0 no fault found; 1 a fault found; 2 a usage error, an
  unusable engine, or the verifier failed on some program (a bug in verify).
"""

from __future__ import annotations

import sys

USAGE = """usage: python -m verify {expr,audit} ...

  expr    audit one formula or micrograd snippet      (python -m verify expr --help)
  audit   audit a micrograd-style engine class        (python -m verify audit --help)

exit codes: 0 no fault, 1 fault found, 2 anything else (bad input, undefined or
inconclusive, usage error, unusable engine, a verifier failure, input or output
that cannot be read or written): see each --help
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        if args:
            return _show(USAGE)
        return _say(USAGE, 2)
    command, rest = args[0], args[1:]
    # Imported lazily: each command pulls in SymPy and friends only when used.
    if command == "expr":
        from .cli.expr import main as run
    elif command == "audit":
        from .cli.audit import main as run
    else:
        return _say(f"python -m verify: unknown command {command!r}\n\n{USAGE}", 2)
    return run(rest)


def _show(text: str) -> int:
    """``text`` on standard output through the commands' own writer: exit 0, or 2 if it cannot be written."""
    from .cli.output import show

    return show(text, 0)


def _say(text: str, code: int) -> int:
    from .cli.output import say

    say(text.rstrip("\n"))
    return code


if __name__ == "__main__":
    sys.exit(main())
