"""How reports look on a terminal: one palette for every verdict, and the optional unicode signs.

Both renderers (``text`` for ``Report.render``, ``expr`` for ``python -m verify
expr``) paint through ``Style``, so a verdict has one colour everywhere.
Without colour (the default, and whenever output is not a terminal) nothing is
added to the text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO

PALETTE = {"pass": "32", "fail": "31", "inconclusive": "33", "undefined": "35", "dim": "2", "bold": "1"}
"""ANSI codes: one per verdict (green, red, yellow, magenta), and two for emphasis."""


@dataclass(frozen=True)
class Style:
    color: bool = False
    unicode: bool = False

    def paint(self, text: str, kind: str) -> str:
        """``text`` in the colour of ``kind`` (a verdict, "dim" or "bold"), if colour is on."""
        code = PALETTE.get(kind)
        return f"\033[{code}m{text}\033[0m" if self.color and code else text

    @property
    def d(self) -> str:
        return "\u2202" if self.unicode else "d"

    @property
    def times(self) -> str:
        return "\u00d7" if self.unicode else "*"

    @property
    def arrow(self) -> str:
        return "\u2192" if self.unicode else "->"


def for_stream(stream: IO[str]) -> Style:
    """Colour only on a terminal and without ``NO_COLOR``; unicode signs only on a UTF-8 terminal."""
    try:
        terminal = stream.isatty()
    except (OSError, ValueError):  # a closed or detached stream
        terminal = False
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return Style(color=terminal and "NO_COLOR" not in os.environ, unicode=terminal and encoding == "utf8")
