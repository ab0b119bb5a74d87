"""``python -m verify expr``: audit the gradient of one formula or micrograd snippet.

Parse safely (``verify.parse``), run the program in our engine, call
``backward()``, and let the verifier compare every gradient with the exact
derivative and a high-precision finite difference. SymPy loads only once the
input has parsed, so bad input is answered fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import IO, TYPE_CHECKING, Any

from ..parse import MAX_CHARS, ParseError, parse, parse_at

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
last assigned name. A formula starting with '-' goes after '--'.
"""

EPILOG = """\
exit codes:
  0  every witness agrees: the gradients are right
  1  a gradient or forward fault was found
  2  bad input, a point where the formula or its gradient is undefined
     (e.g. log(a) at a=-1), an inconclusive check, or a usage error
"""


def main(argv: list[str]) -> int:
    parser = _arguments()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2)
        return int(exit_.code or 0)
    if (args.formula is None) == (args.file is None):
        parser.print_usage(sys.stderr)
        sys.stderr.write("python -m verify expr: give a FORMULA or --file PATH (not both)\n")
        return EXIT_BAD_INPUT
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
    code = {"pass": EXIT_OK, "fail": EXIT_FAULT}.get(report.verdict, EXIT_BAD_INPUT)
    if args.dot:
        try:
            _write_dot(args.dot, parsed, slots, report)
        except ParseError as error:
            return _refuse(error, args.json)
    _show(report, parsed, args, code)
    return code


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verify expr", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("formula", nargs="?", metavar="FORMULA",
                        help="a formula such as 'a*b + b**3', or - to read a formula or snippet from stdin")
    parser.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                        help="values of the formula's names (also overrides x = Value(...) in a snippet)")
    parser.add_argument("--file", metavar="PATH",
                        help="read a formula or micrograd snippet from PATH (- for stdin)")
    parser.add_argument("--output", metavar="NAME", help="the snippet's name to differentiate")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--explain", action="store_true",
                        help="show the forward and backward pass node by node (the chain rule)")
    parser.add_argument("--dot", metavar="PATH",
                        help="write the graph with data and grad on every node"
                             " (.dot; .svg/.png need graphviz)")
    return parser


def _read(formula: str | None, path: str | None) -> str:
    if formula is not None and formula != "-":
        return formula
    if path is None or path == "-":
        return _bounded(sys.stdin.buffer, "standard input")
    try:
        with open(path, "rb") as stream:
            return _bounded(stream, path)
    except OSError as error:
        raise ParseError(f"cannot read {path}: {error.strerror or error}") from None


def _bounded(stream: IO[bytes], what: str) -> str:
    """Read at most MAX_CHARS bytes: a huge input is refused without being loaded."""
    raw = stream.read(MAX_CHARS + 1)
    if len(raw) > MAX_CHARS:
        raise ParseError(f"{what} is larger than {MAX_CHARS:,} bytes; the limit is {MAX_CHARS:,}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"{what} is not UTF-8 text (byte {error.start})") from None


def _run(parsed: Parsed) -> list[Value]:
    """Build the program in our engine and run backward; a MathError becomes a ParseError at its op."""
    from micrograd import MathError, Value

    from ..program import RunFailed

    try:
        slots: list[Value] = parsed.program.run(Value, catch=MathError)
    except RunFailed as failed:
        error = failed.error
        if failed.slot is not None:
            raise parsed.error_at(failed.slot, f"undefined at this point: {error}",
                                  hint="choose a point inside the op's domain (--at NAME=VALUE)") from None
        slot = _culprit(failed.slots, error)
        message = f"the gradient is undefined at this point: {error}"
        hint = "choose another point (--at NAME=VALUE)"
        raise (parsed.error_at(slot, message, hint) if slot is not None else ParseError(message, hint=hint)) \
            from None
    return slots


def _culprit(slots: list[Value], error: Any) -> int | None:
    for i, node in enumerate(slots):
        if node.op == error.op and tuple(p.data for p in node.parents) == tuple(error.operands):
            return i
    return None


def _refuse(error: ParseError, as_json: bool) -> int:
    sys.stderr.write(error.render() + "\n")
    if as_json:
        where = {"line": error.line, "column": error.col} if error.line else {}
        json.dump({"ok": False, "verdict": "error", "error": error.message, "hint": error.hint, **where},
                  sys.stdout)
        sys.stdout.write("\n")
    return EXIT_BAD_INPUT


def _style(stream: IO[str]) -> Style:
    from ..report.style import Style

    terminal = stream.isatty()
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return Style(color=terminal and "NO_COLOR" not in os.environ, unicode=terminal and encoding == "utf8")


def _show(report: Report, parsed: Parsed, args: argparse.Namespace, code: int) -> None:
    from ..report.expr import render_explain, render_report

    if args.json:
        document = report.to_dict()
        document["output"] = parsed.output
        document["exit_code"] = code
        if args.explain:
            document["nodes"] = [
                {"slot": node.slot, "name": parsed.labels[node.slot], "op": node.op, "data": node.data,
                 "grad": node.grad, "exact_data": node.exact_data, "exact_grad": node.exact_grad,
                 "local": [{"formula": f, "value": v} for f, v in node.local]}
                for node in report.nodes
            ]
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    style = _style(sys.stdout)
    if args.explain:
        sys.stdout.write(render_explain(report, parsed, style) + "\n\n")
    sys.stdout.write(render_report(report, parsed, style, all_formulas=args.explain) + "\n")


def _write_dot(path: str, parsed: Parsed, slots: list[Value], report: Report) -> None:
    from micrograd import viz

    highlight = [slots[f.slot] for f in report.faults]
    names = {slots[i]: label for i, label in enumerate(parsed.labels)}
    source = viz.draw_dot(slots[-1], highlight=highlight, labels=names)
    try:
        written = viz.render(source, path)
    except (OSError, ValueError, viz.GraphvizMissingError) as error:
        raise ParseError(f"--dot {path}: {error}") from None
    sys.stderr.write(f"wrote {written}\n")
