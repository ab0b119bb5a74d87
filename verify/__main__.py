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

import contextlib
import os
import sys
from typing import TextIO

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
        code = 0 if args else 2
        return _write(sys.stdout if args else sys.stderr, USAGE, code)
    command, rest = args[0], args[1:]
    # Imported lazily: each command pulls in SymPy and friends only when used.
    if command == "expr":
        from .cli.expr import main as run
    elif command == "audit":
        from .cli.audit import main as run
    else:
        return _write(sys.stderr, f"python -m verify: unknown command {command!r}\n\n{USAGE}", 2)
    return run(rest)


def _write(stream: TextIO | None, text: str, code: int) -> int:
    """``text`` to ``stream``: a reader that stopped early changes nothing, any other failure is exit 2
    with one line on stderr; never a traceback."""
    try:
        if stream is None:
            raise OSError("it is closed")
        stream.write(text)
        stream.flush()
    except BrokenPipeError:  # the reader stopped early (| head): quietly
        _silence(stream)
    except (OSError, ValueError) as error:
        name = "standard output" if stream is sys.stdout else "standard error"
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write(f"error: cannot write {name}: {reason}\n")
            sys.stderr.flush()
        _silence(stream)
        return 2
    return code


def _silence(stream: TextIO | None) -> None:
    """Point the stream's descriptor at the null device, so the interpreter's last flush cannot fail."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if stream is not None:
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


if __name__ == "__main__":
    sys.exit(main())
