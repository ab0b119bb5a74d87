"""Writing a command's report: a failure is one line on stderr and an exit code, never a traceback.

Every command of ``python -m verify`` writes through here. Standard output
that is closed, full or failing ends the command with ``EXIT_CANNOT_WRITE``
and one line on stderr naming it; a reader that stops early (``| head``)
ends it quietly with the exit code the command had reached. Either way fd 1
is pointed at the null device, so the interpreter's last flush cannot fail
again at exit.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import IO

EXIT_CANNOT_WRITE = 2
"""Standard output (or a file the command was told to write) cannot be written."""


class ReaderGone(Exception):
    """Standard output's reader went away (a broken pipe): nothing more to say, to anyone."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class CannotWrite(Exception):
    """Standard output cannot take the report: closed, full, or failing."""


def reason(error: BaseException) -> str:
    """An OSError's own words (``No space left on device``), else the message or the type's name."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def require_stdout() -> None:
    """Refuse before any work when there is nowhere to write the result."""
    if sys.stdout is None:
        raise CannotWrite("cannot write standard output: it is closed")


def emit(text: str, code: int) -> None:
    """Write ``text`` to standard output and flush; ``code`` is the exit code should the reader be gone."""
    require_stdout()
    stream = sys.stdout
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise ReaderGone(code) from None
    except (OSError, ValueError) as error:
        raise CannotWrite(f"cannot write standard output: {reason(error)}") from None


def say(line: str) -> None:
    """One line on stderr, if stderr can take it (nothing else is left to tell a failure to)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def silence(stream: IO[str] | None) -> None:
    """Point the stream's descriptor at the null device, so the interpreter's last flush cannot fail."""
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, fd)
        finally:
            os.close(null)


def guarded(run: Callable[[], int]) -> int:
    """``run()``'s exit code; a failure to write standard output becomes its documented exit code."""
    try:
        return run()
    except ReaderGone as gone:  # the reader stopped early (| head): end quietly with the verdict's code
        silence(sys.stdout)
        return gone.code
    except CannotWrite as failure:
        silence(sys.stdout)
        say(f"error: {failure}")
        return EXIT_CANNOT_WRITE


def show(text: str, code: int) -> int:
    """Write ``text`` to standard output and return ``code``, or the exit code of a failure to write it."""

    def run() -> int:
        emit(text, code)
        return code

    return guarded(run)
