"""``python -m verify expr``: audit the gradient of one formula or micrograd snippet.

Parse safely (``verify.parse``), run the program in our engine, call
``backward()``, and let the verifier compare every gradient with the exact
derivative and a high-precision finite difference. SymPy loads only once the
input has parsed, so bad input is answered fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
from typing import IO, TYPE_CHECKING, Any

from ..parse import MAX_CHARS, ParseError, parse, parse_at
from .output import emit, guarded, reason, require_stdout, say

if TYPE_CHECKING:
    from micrograd.engine import Value

    from ..parse import Parsed
    from ..report import Report
    from ..report.style import Style

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT = 0, 1, 2

DESCRIPTION = """\
Audit the gradient of one formula: forward value, then for every input the
autograd gradient next to the exact derivative (SymPy) and a high-precision
finite difference (mpmath), with relative error, ulps and a verdict.

  python -m verify expr "a*b + b**3" --at a=-4 b=2
  python -m verify expr --file examples/seed.py          # a micrograd snippet
  echo "tanh(x) * x" | python -m verify expr - --at x=0.5 --explain

Formulas use + - * / ** and unary -, the functions exp log tanh sigmoid relu
sqrt sin cos (as tanh(x) or x.tanh()) and abs(x). A snippet may hold
'from micrograd import Value', 'x = Value(2.0)' inputs, assignments (also
c += ...), 'y.backward()' and print(...) lines; nothing in it is executed.
The output is --output NAME, else the name .backward() is called on, else the
last assigned name. A formula starting with '-' goes after '--':
  python -m verify expr -- "-x" --at x=2
"""

EPILOG = """\
exit codes:
  0  pass: every witness agrees, the gradients are right
  1  fail: a gradient or forward fault was found
  2  inconclusive (the witnesses cannot decide here), undefined (the formula
     or its gradient has no value at this point, e.g. log(a) at a=-1), bad
     input, a usage error, or input or output that cannot be read or written
     (one line on stderr says which)
  If the reader of standard output stops early (| head), the command ends
  quietly, with the exit code of the verdict.
"""


def main(argv: list[str]) -> int:
    """Run the command; every outcome is an exit code, never a traceback (see EPILOG)."""
    _tolerant(sys.stdout)
    try:
        return guarded(lambda: _main(argv))
    except KeyboardInterrupt:
        say("python -m verify expr: interrupted")
        return 130


def _main(argv: list[str]) -> int:
    parser = _arguments()
    try:
        args = parser.parse_args(_formula_last(argv))
    except SystemExit as exit_:  # a usage error (2), already told on stderr
        return int(exit_.code or 0)
    if args.help:
        emit(parser.format_help(), EXIT_OK)
        return EXIT_OK
    if (args.formula is None) == (args.file is None):
        say(parser.format_usage().rstrip("\n"))
        say("python -m verify expr: give a FORMULA or --file PATH (not both)")
        return EXIT_BAD_INPUT
    require_stdout()
    try:
        text = _read(args.formula, args.file)
        parsed = parse(text, at=parse_at(args.at), output=args.output)
        slots = _run(parsed)
    except ParseError as error:
        return _refuse(error, args.json)

    from ..judge.verdict import check_run  # SymPy and mpmath load here, after the input is known good

    data = [s.data for s in slots]
    grad = [s.grad for s in slots]
    report = check_run(parsed.program, data, grad)
    code = exit_code(report.verdict)
    if args.dot:
        try:
            _write_dot(args.dot, parsed, slots, report)
        except ParseError as error:
            return _refuse(error, args.json)
    _show(report, parsed, args, code)
    return code


def _formula_last(argv: list[str]) -> list[str]:
    """``-- "-x" --at x=2`` as ``--at x=2 -- "-x"``: after ``--`` comes one formula, then options again."""
    if "--" not in argv:
        return argv
    at = argv.index("--")
    if at + 2 >= len(argv):
        return argv
    return [*argv[:at], *argv[at + 2:], "--", argv[at + 1]]


def exit_code(verdict: str) -> int:
    """pass 0, fail 1; inconclusive, undefined (and anything else) 2."""
    return {"pass": EXIT_OK, "fail": EXIT_FAULT}.get(verdict, EXIT_BAD_INPUT)


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verify expr", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False,
    )
    parser.add_argument("formula", nargs="?", metavar="FORMULA",
                        help="a formula such as 'a*b + b**3', or - to read a formula or snippet from stdin")
    parser.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                        help="values of the formula's names (also overrides x = Value(...) in a snippet)")
    parser.add_argument("--file", metavar="PATH",
                        help="read a formula or micrograd snippet from the regular file PATH (- for stdin)")
    parser.add_argument("--output", metavar="NAME", help="the snippet's name to differentiate")
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON (schema: verify/report/report.schema.json)")
    parser.add_argument("--explain", action="store_true",
                        help="show the forward and backward pass node by node (the chain rule)")
    parser.add_argument("--dot", metavar="PATH",
                        help="write the graph with data and grad on every node"
                             " (.dot; .svg/.png need graphviz)")
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    return parser


# ---- reading: only regular files or standard input, never more than the limit ----

MAX_BYTES = 4 * MAX_CHARS + 3
"""The most bytes MAX_CHARS characters of UTF-8 take, with a byte order mark."""

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _read(formula: str | None, path: str | None) -> str:
    if formula is not None and formula != "-":
        return formula
    if path is None or path == "-":
        return _read_stdin()
    return _read_file(path)


def _read_stdin() -> str:
    stream = sys.stdin
    if stream is None:
        raise ParseError("cannot read standard input: it is closed")
    try:
        binary = getattr(stream, "buffer", None)
        if binary is None:  # a text stream without bytes underneath (tests, embedding)
            return _bounded_text(stream.read(MAX_CHARS + 1), "standard input")
        return _decode(binary.read(MAX_BYTES + 1), "standard input")
    except (OSError, ValueError) as error:
        raise ParseError(f"cannot read standard input: {reason(error)}") from None


def _read_file(path: str) -> str:
    """A regular file, opened without blocking (a named pipe with no writer must not hang) and checked."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise ParseError(f"cannot read {path}: {reason(error)}") from None
    try:
        info = os.fstat(fd)
        mode, size = info.st_mode, info.st_size
        if not stat.S_ISREG(mode):
            kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
            raise ParseError(f"cannot read {path}: it is {kind}, not a regular file",
                             hint="--file reads regular files; redirect anything else: --file - < PATH")
        if size > MAX_BYTES:
            raise ParseError(f"{path} is larger than the limit of {MAX_CHARS:,} characters ({size:,} bytes)")
        with os.fdopen(fd, "rb") as stream:
            fd = -1
            return _decode(stream.read(MAX_BYTES + 1), path)
    except OSError as error:
        raise ParseError(f"cannot read {path}: {reason(error)}") from None
    finally:
        if fd >= 0:
            os.close(fd)


def _decode(raw: bytes, what: str) -> str:
    """UTF-8 (a byte order mark is dropped, as Python does for source files), at most MAX_CHARS characters."""
    if len(raw) > MAX_BYTES:
        raise ParseError(f"{what} is larger than the limit of {MAX_CHARS:,} characters")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(f"{what} is not UTF-8 text (byte {error.start})") from None
    return _bounded_text(text, what)


def _bounded_text(text: str, what: str) -> str:
    if len(text) > MAX_CHARS:
        raise ParseError(f"{what} is larger than the limit of {MAX_CHARS:,} characters")
    return text


# ---- writing: verify.cli.output; a terminal that cannot encode a name ----

def _tolerant(stream: IO[str] | None) -> None:
    """A name the terminal cannot encode is shown escaped rather than ending the run."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(Exception):
            reconfigure(errors="backslashreplace")


def _run(parsed: Parsed) -> list[Value]:
    """Build the program in our engine and run backward; a MathError becomes a ParseError at its op."""
    from micrograd import MathError, Value

    from ..program import RunFailed

    try:
        slots: list[Value] = parsed.program.run(Value, catch=MathError)
    except RunFailed as failed:
        error = failed.error
        if failed.slot is not None:
            refusal = parsed.error_at(failed.slot, f"undefined at this point: {error}",
                                      hint="choose a point inside the op's domain (--at NAME=VALUE)")
        else:
            slot = _culprit(failed.slots, error)
            message = f"the gradient is undefined at this point: {error}"
            hint = "choose another point (--at NAME=VALUE)"
            refusal = ParseError(message, hint=hint) if slot is None else \
                parsed.error_at(slot, message, hint)
        refusal.verdict = "undefined"
        raise refusal from None
    return slots


def _culprit(slots: list[Value], error: Any) -> int | None:
    for i, node in enumerate(slots):
        if node.op == error.op and tuple(p.data for p in node.parents) == tuple(error.operands):
            return i
    return None


def _refuse(error: ParseError, as_json: bool) -> int:
    say(error.render())
    if as_json:
        where = {"line": error.line, "column": error.col} if error.line else {}
        document = {"ok": False, "verdict": error.verdict, "error": error.message, "hint": error.hint,
                    **where, "exit_code": EXIT_BAD_INPUT}
        emit(json.dumps(document) + "\n", EXIT_BAD_INPUT)
    return EXIT_BAD_INPUT


def _style(stream: IO[str]) -> Style:
    from ..report.style import for_stream

    return for_stream(stream)


def _show(report: Report, parsed: Parsed, args: argparse.Namespace, code: int) -> None:
    from ..report.expr import expr_document, render_explain, render_report

    if args.json:
        document = expr_document(report, parsed, code, explain=args.explain)
        emit(json.dumps(document, indent=2, allow_nan=False) + "\n", code)
        return
    style = _style(sys.stdout)
    text = render_report(report, parsed, style, all_formulas=args.explain) + "\n"
    if args.explain:
        text = render_explain(report, parsed, style) + "\n\n" + text
    emit(text, code)


def _write_dot(path: str, parsed: Parsed, slots: list[Value], report: Report) -> None:
    from micrograd import viz

    highlight = [slots[f.slot] for f in report.faults]
    names = {slots[i]: label for i, label in enumerate(parsed.labels)}
    source = viz.draw_dot(slots[-1], highlight=highlight, labels=names)
    try:
        written = viz.render(source, path)
    except OSError as error:
        raise ParseError(f"cannot write {path}: {reason(error)}") from None
    except (ValueError, viz.GraphvizMissingError) as error:
        raise ParseError(f"--dot {path}: {error}") from None
    say(f"wrote {written}")
