"""Run a Jupyter notebook's code cells to get the engine class a learner wrote in it.

``--engine lecture.ipynb:Value`` runs the notebook's code cells in order, in
one namespace (``__name__`` is ``"__main__"``, as in Jupyter), with the
notebook's folder first on ``sys.path``. IPython syntax is not Python and
is skipped: a line magic (``%matplotlib inline``), a shell line
(``!pip install micrograd``), a help line (``Value?``) each become ``pass``;
a cell magic (``%%bash``, ``%%html``, ...) skips its whole cell, except
``%%time``, ``%%timeit`` and ``%%capture``, whose body is run once.
``display(...)`` is a no-op. A cell that calls the verifier (``verify.audit(...)``,
``check(...)`` imported from verify, ``%run``, ``!python -m verify``: decided
on the parsed code, ``verifier_call``) is skipped: the notebook's own audit
would run again in every worker. The notes say which cells ran, which were
skipped and why, and which raised.

Until the class exists, a cell that raises stops the notebook: the engine
cannot be loaded, and ``NotebookFailed`` names the cell (its number among
all cells, from 1, as the notebook shows them) and the error. Once the
class exists, a later cell that raises (a plot without matplotlib, a
``draw_dot`` without graphviz) is noted and skipped, and the rest still
run: a later cell may redefine the class, and the class audited is the last
one bound to the name.

This module runs in the worker, and in a reproduction snippet
(``load_class``), never in the audit's own process.
"""

from __future__ import annotations

import ast
import json
import linecache
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_BODY_MAGICS = ("time", "timeit", "capture")
"""Cell magics whose body is Python (run once); every other cell magic skips its cell."""
_HELP = re.compile(r"^\s*[\w.]+\s*\?{1,2}\s*$")
_MAGIC_ASSIGNMENT = re.compile(r"^(\s*)[\w.]+\s*=\s*[%!]")


class NotebookFailed(Exception):
    """The notebook cannot give the class: unreadable, or a cell raised before the class existed."""

    def __init__(self, message: str, cell: int | None = None, error: BaseException | None = None) -> None:
        super().__init__(message)
        self.cell = cell
        self.error = error


@dataclass(frozen=True)
class Cell:
    number: int
    """The cell's position among all the notebook's cells, from 1."""
    source: str
    """Its code with the IPython lines turned into ``pass``."""
    raw: str = ""
    """Its code as written (the IPython lines too)."""


@dataclass
class Ran:
    """What running the notebook gave: the class and remarks on cells that failed or were skipped."""

    cls: type
    notes: list[str] = field(default_factory=list)


def code_cells(path: str | Path) -> tuple[list[Cell], list[str]]:
    """The notebook's code cells as Python, and a note for each cell skipped as a cell magic."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise NotebookFailed(f"cannot read the notebook {path}: {error}") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise NotebookFailed(f"{path} is not a Jupyter notebook (no list of cells)")
    found, notes = [], []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = text.splitlines()
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and lines[first].lstrip().startswith("%%"):
            magic = lines[first].lstrip()[2:].split(maxsplit=1)
            if not magic or magic[0] not in _BODY_MAGICS:
                notes.append(f"cell {number} skipped: the cell magic {lines[first].strip()!r}")
                continue
            lines = lines[first + 1:]
        found.append(Cell(number, "\n".join(_python_line(line) for line in lines) + "\n", "\n".join(lines)))
    return found, notes


def verifier_call(source: str, aliases: set[str]) -> str | None:
    """What in the cell calls the verifier (``verify.audit(...)``, ``%run``, ``!python -m verify``),
    or None. ``aliases`` are the names bound to verify or its functions so far; this cell's imports
    are added. Decided on the parsed code and the split shell line, never by matching text."""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("%run"):
            return stripped
        if stripped.startswith("!"):
            try:
                words = shlex.split(stripped[1:])
            except ValueError:
                continue
            if words[:1] == ["verify"] or ("verify" in words and "-m" in words[:words.index("verify")]):
                return stripped
    try:
        tree = ast.parse("\n".join(_python_line(line) for line in source.splitlines()))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update((a.asname or a.name).split(".")[0] for a in node.names
                           if a.name.split(".")[0] == "verify")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "verify":
            aliases.update(a.asname or a.name for a in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            base = node.func
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                return ast.unparse(node.func) + "(...)"
    return None


def _python_line(line: str) -> str:
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith(("%", "!")) or _HELP.match(line):
        return f"{indent}pass  # IPython: {stripped}"
    assignment = _MAGIC_ASSIGNMENT.match(line)
    if assignment:
        return f"{assignment[1]}pass  # IPython: {stripped}"
    return line


def cell_file(path: str | Path, number: int) -> str:
    """The file name a cell's code is compiled under: ``path/to/nb.ipynb [cell 3]``."""
    return f"{path} [cell {number}]"


def run(path: str | Path, name: str) -> Ran:
    """Run the notebook's code cells; the class bound to ``name`` (see the module docstring)."""
    path = Path(path).resolve()
    cells, notes = code_cells(path)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__,
                                 "display": lambda *_, **__: None}
    found: type | None = None
    aliases: set[str] = set()
    ran: list[int] = []
    for cell in cells:
        calls = verifier_call(cell.raw, aliases)
        if calls is not None:
            notes.append(f"cell {cell.number} skipped: it calls the verifier ({calls})")
            continue
        filename = cell_file(path, cell.number)
        lines = cell.source.splitlines(keepends=True)
        linecache.cache[filename] = (len(cell.source), None, lines, filename)
        try:
            code = compile(cell.source, filename, "exec")
            exec(code, namespace)
        except BaseException as error:  # the notebook's code may raise anything, even SystemExit
            if isinstance(error, KeyboardInterrupt):
                raise
            text = f"{type(error).__name__}: {error}".rstrip(": ")
            if found is None:
                where = _line_of(error, filename)
                raise NotebookFailed(
                    f"cell {cell.number} raised {text}{where} before {name} was defined", cell.number, error
                ) from None
            notes.append(f"cell {cell.number} raised {text} (after {name} was defined; skipped)")
            continue
        ran.append(cell.number)
        bound = namespace.get(name)
        if isinstance(bound, type):
            found = bound
    if found is None:
        bound = namespace.get(name)
        what = "is not defined" if bound is None else f"is a {type(bound).__name__}, not a class"
        raise NotebookFailed(f"after running all {len(cells)} code cells of {path.name}, {name} {what}")
    if ran:
        notes.append(f"ran code cells {', '.join(map(str, ran))} of {path.name}")
    return Ran(found, notes)


def _line_of(error: BaseException, filename: str) -> str:
    """`` (line 2: x = math.tanh(1))`` for the cell's innermost frame, or the syntax error's line."""
    if isinstance(error, SyntaxError) and error.filename == filename:
        return f" (line {error.lineno}: {(error.text or '').strip()})"
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None:
        return ""
    return f" (line {line}: {linecache.getline(filename, line).strip()})"


def load_class(path: str | Path, name: str) -> type:
    """The class ``name`` of the notebook at ``path``, for a snippet: ``Value = load_class(...)``.

    The notebook's folder is put first on ``sys.path`` for its imports, as the audit did.
    """
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return run(path, name).cls
