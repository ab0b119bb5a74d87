"""What the parser hands back: a Parsed program, or a ParseError that points at the culprit."""

from __future__ import annotations

from dataclasses import dataclass

from ..program import Program
from .position import Place


class ParseError(Exception):
    """Bad input: a message, where it is (1-based line and column), and a hint."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        col: int | None = None,
        width: int = 1,
        source: str | None = None,
        hint: str | None = None,
        verdict: str = "error",
    ) -> None:
        super().__init__(message)
        self.verdict = verdict  # "undefined" when the input is fine but the point is outside a domain
        self.message = message
        self.line = line
        self.col = col
        self.width = max(1, width)
        self.source = source
        self.hint = hint

    def render(self) -> str:
        """``error: ...`` with the line, a caret under the culprit and the hint."""
        where = f" (line {self.line}, column {self.col})" if self.line and self.col else ""
        lines = [f"error: {self.message}{where}"]
        if self.source is not None and self.col is not None and len(self.source) <= 200:
            width = min(self.width, max(1, len(self.source) - self.col + 1))
            lines.append(f"  {self.source}")
            lines.append("  " + " " * (self.col - 1) + "^" * width)
        if self.hint:
            lines.append(f"  {self.hint}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Parsed:
    """A parsed formula or snippet: the program and how to talk about it."""

    program: Program
    labels: tuple[str, ...]  # one per slot: the user's name (earlier values c_1, c_2), else v1, v2, ...
    output: str  # the output's label
    places: tuple[Place | None, ...]  # one per slot
    lines: tuple[str, ...]  # the source lines, for pointing at a slot
    formula: str | None  # the source when the input was a single expression

    def error_at(self, slot: int, message: str, hint: str | None = None) -> ParseError:
        """A ParseError pointing at the text that made ``slot``."""
        place = self.places[slot]
        if place is None:
            return ParseError(message, hint=hint)
        return ParseError(message, line=place.line, col=place.col, width=place.width,
                          source=self.lines[place.line - 1], hint=hint)
