"""Reading the engine's numbers and exceptions in the worker: bounded text, real numbers, the engine's frame.

Everything here runs beside the foreign engine and touches only what it
returns: ``.data``/``.grad`` values become floats or ``Unreadable`` entries,
exceptions become ``EngineError`` data naming the engine's innermost frame
(``ROOTS`` says which files are the engine's). The worker fingerprints this
module with its own.
"""

from __future__ import annotations

import decimal
import fractions
import linecache
import os
import sysconfig
from collections.abc import Callable
from types import TracebackType
from typing import Any

from . import protocol
from .protocol import HOME, EngineError, Frame, Unreadable, shorten

_VERIFY = os.path.join(HOME, "verify")
_STDLIB = tuple({os.path.realpath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")})
_SITE = tuple({os.path.realpath(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")})

_MISSING = object()


def clean(x: Any, limit: int = protocol.MESSAGE_LIMIT) -> str:
    """An exact str, bounded, that survives JSON and any terminal (lone surrogates escaped)."""
    s = str.__str__(x) if isinstance(x, str) else "?"
    return shorten(s.encode("utf-8", "backslashreplace").decode("utf-8"), limit)


def shown(x: Any, show: Callable[[Any], Any], limit: int) -> str:
    try:
        return clean(show(x), limit)
    except BaseException as error:
        return f"<{show.__name__}() raised {clean(type(error).__name__)}>"


def real(x: Any) -> float | None:
    """``x`` as a float if it is a real number (int, float, NumPy real scalar, Fraction, Decimal); else None.

    None, str, bytes, bool, complex and everything else are not: they make ``Unreadable`` entries.
    """
    kind = type(x)
    if kind is float:
        return x  # type: ignore[no-any-return]
    try:
        if kind is bool or x is None or isinstance(x, (str, bytes, bool, complex)):
            return None
        # The stored value, read by the base type's own method: a subclass's __float__ may say
        # anything, while the engine computes with (and its users print) what is stored.
        if isinstance(x, float):
            return float.__float__(x)
        if isinstance(x, int):
            return int.__float__(x)
        if isinstance(x, fractions.Fraction):
            return fractions.Fraction.__float__(x)
        if isinstance(x, decimal.Decimal):
            return decimal.Decimal.__float__(x)
        dtype = getattr(x, "dtype", None)
        if getattr(dtype, "kind", None) in ("f", "i", "u") and getattr(x, "shape", None) == ():
            return float(x.item())
    except BaseException:
        return None
    return None


def held_value(node: Any, grad: Any) -> float | None:
    """The gradient inside a ``.grad`` that is itself a node of the engine (a design for higher-order
    gradients: ``backward()`` seeds the output with a Value, so each rule builds one): that node's
    ``.data``, when it is a real number; None for anything else."""
    try:
        if type(grad) is object or not (isinstance(grad, type(node)) or isinstance(node, type(grad))):
            return None
        return real(getattr(grad, "data", None))
    except BaseException:
        return None


def read_field(node: Any, field: protocol.Field, slot: int, unreadable: list[Unreadable]) -> float | None:
    try:
        value = getattr(node, field, _MISSING)
    except BaseException as error:
        said = clean(f"reading .{field} raised {describe(error).text}", protocol.REPR_LIMIT)
        unreadable.append(Unreadable(slot, field, "error", said))
        return None
    if value is _MISSING:
        unreadable.append(Unreadable(slot, field, "missing", f"no attribute .{field}"))
        return None
    number = real(value)
    if number is None and field == "grad":
        number = held_value(node, value)
    if number is None:
        unreadable.append(Unreadable(slot, field, clean(type(value).__name__, protocol.REPR_LIMIT),
                                     shown(value, repr, protocol.REPR_LIMIT),
                                     shown(value, str, protocol.REPR_LIMIT)))
    return number


class Roots:
    """Which files are the engine's: those under its folders, not verify's, the standard library's or
    an installed package's (unless the engine is one)."""

    def __init__(self) -> None:
        self.roots: list[str] = []
        self.prefixes: list[str] = []
        self._cache: dict[str, int] = {}

    def add(self, path: str) -> None:
        self._cache.clear()
        if not path:
            return
        resolved = real_path(path)
        if resolved not in self.roots:
            self.roots.append(resolved)
        if not os.path.isdir(resolved):  # a notebook: its cells compile to "nb.ipynb [cell N]"
            self.prefixes.append(path + " [cell ")

    def rank(self, file: str) -> int:
        """2: the engine's own file; 1: some other file, not ours or the standard library's; 0: ours."""
        cached = self._cache.get(file)
        if cached is not None:
            return cached
        if any(file.startswith(prefix) for prefix in self.prefixes):
            rank = 2
        elif file.startswith("<"):
            rank = 0
        else:
            path = real_path(file)
            if under(path, (_VERIFY, *_STDLIB)) and not under(path, tuple(self.roots)):
                rank = 0
            elif under(path, tuple(self.roots)) and not (
                    under(path, _SITE) and not any(under(r, _SITE) for r in self.roots)):
                rank = 2
            elif under(path, _SITE):
                rank = 0
            else:
                rank = 1
        self._cache[file] = rank
        return rank


def under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders if f)


ROOTS = Roots()
"""The engine's folders, set once it is loaded."""


def describe(error: BaseException) -> EngineError:
    """The exception as data: type, message and the engine's innermost frame."""
    message = shown(error, str, protocol.MESSAGE_LIMIT)
    return EngineError(clean(type(error).__name__, 100), message, _engine_frame(error.__traceback__))


def _engine_frame(tb: TracebackType | None) -> Frame | None:
    best: tuple[int, str, int, str] | None = None
    while tb is not None:
        code = tb.tb_frame.f_code
        rank = ROOTS.rank(code.co_filename)
        if rank and (best is None or rank >= best[0]):
            best = (rank, code.co_filename, tb.tb_lineno, code.co_name)
        tb = tb.tb_next
    if best is None:
        return None
    _, file, line, function = best
    source = linecache.getline(file, line).strip()
    return Frame(clean(file, 500), line, clean(function, 100), clean(source, protocol.LINE_LIMIT))


def real_path(file: str) -> str:
    return os.path.realpath(file) if file and not file.startswith("<") else file
