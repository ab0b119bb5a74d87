"""Which engines a batch audits: ``--engine`` specs (a glob in the path expands), ``--engines FILE``.

A spec is ``path/to/file.py:Class``, ``notebook.ipynb:Class`` or ``package.module:Class``, as
``python -m verify audit --engine`` takes it. A list file has one engine a line, ``SPEC`` or
``SPEC LABEL`` (shell quoting for spaces; ``#`` starts a comment); relative paths in it are
relative to the list file's folder. Engines without a label are labelled by the part of their
spec that differs from the others' (``submissions/*/engine.py:Value`` gives ``alice``, ``bob``).
"""

from __future__ import annotations

import glob
import os
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

GLOB_CHARS = frozenset("*?[")


class SpecError(ValueError):
    """A batch's engines cannot be read: a glob that matches nothing, a bad list line, a label twice."""


@dataclass(frozen=True)
class Engine:
    """One engine of a batch: the spec handed to the audit, and the label it is shown by."""

    spec: str
    label: str

    @property
    def target(self) -> str:
        """The file path or module name (before the last ':')."""
        return self.spec.rpartition(":")[0]

    @property
    def class_name(self) -> str:
        return self.spec.rpartition(":")[2]

    @property
    def is_file(self) -> bool:
        """Whether the target is a file (as the audit reads a spec: .py, .ipynb or a path separator)."""
        target = self.target
        return target.endswith((".py", ".ipynb")) or "/" in target or os.sep in target


def split(spec: str) -> tuple[str, str]:
    """``path:Class`` -> (path, Class); ``SpecError`` without a ':' and a class name."""
    target, colon, name = spec.rpartition(":")
    if not colon or not target or not name:
        raise SpecError(f"--engine {spec!r}: expected path/to/file.py:ClassName, notebook.ipynb:ClassName"
                        " or package.module:ClassName")
    return target, name


def expand(spec: str) -> list[str]:
    """A spec whose path holds a glob (``*``, ``?``, ``[``, ``**``) -> one spec per matching file, sorted."""
    target, name = split(spec)
    if not GLOB_CHARS & set(target):
        return [spec]
    found = sorted(p for p in glob.glob(target, recursive=True) if os.path.isfile(p))
    if not found:
        raise SpecError(f"--engine {spec!r}: no file matches {target!r}")
    return [f"{path}:{name}" for path in found]


def read_list(path: str, text: str) -> list[tuple[str, str | None]]:
    """The (spec, label or None) of each line of a list file ``path`` holding ``text``."""
    folder = os.path.dirname(path) if path != "-" else ""
    found: list[tuple[str, str | None]] = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            words = shlex.split(line, comments=True)
        except ValueError as error:
            raise SpecError(f"{path}, line {number}: {error}") from None
        if not words:
            continue
        if len(words) > 2:
            raise SpecError(f"{path}, line {number}: expected SPEC or SPEC LABEL, found {len(words)} words"
                            " (quote a path or label that has spaces)")
        target, name = split(words[0])
        if folder and _is_path(target) and not os.path.isabs(target):
            target = os.path.relpath(os.path.join(folder, target))
        for spec in expand(f"{target}:{name}"):
            found.append((spec, words[1] if len(words) == 2 else None))
    return found


def _is_path(target: str) -> bool:
    return target.endswith((".py", ".ipynb")) or "/" in target or os.sep in target


def engines(specs: Sequence[str], listed: Iterable[tuple[str, str | None]] = ()) -> list[Engine]:
    """Every engine to audit, in order given: globs expanded, each spec once, each label unique."""
    pairs: list[tuple[str, str | None]] = [(s, None) for spec in specs for s in expand(spec)]
    pairs += list(listed)
    seen: dict[str, str | None] = {}
    for spec, label in pairs:
        if spec in seen:
            if label is not None and seen[spec] not in (None, label):
                raise SpecError(f"{spec} is listed twice, as {seen[spec]!r} and as {label!r}")
            seen[spec] = seen[spec] or label
            continue
        seen[spec] = label
    if not seen:
        raise SpecError("no engine to audit: give --engine SPEC (a glob in the path is expanded) "
                        "or --engines FILE")
    automatic = labels([spec for spec, label in seen.items() if label is None])
    out = [Engine(spec, label if label is not None else automatic[spec]) for spec, label in seen.items()]
    by_label: dict[str, str] = {}
    for engine in out:
        if engine.label in by_label:
            raise SpecError(f"the label {engine.label!r} is given to {by_label[engine.label]} and to "
                            f"{engine.spec}: labels must differ")
        by_label[engine.label] = engine.spec
    return out


def labels(specs: Sequence[str]) -> dict[str, str]:
    """A short label per spec: its path's parts (and class) without what every spec shares."""
    parts = {spec: [*Path(spec.rpartition(":")[0]).parts, ":" + spec.rpartition(":")[2]] for spec in specs}
    if len(specs) < 2:
        return {spec: spec for spec in specs}
    rows = list(parts.values())
    shortest = min(len(r) for r in rows)
    head = 0
    while head < shortest - 1 and len({r[head] for r in rows}) == 1:
        head += 1
    tail = 0
    while tail < shortest - head - 1 and len({r[-1 - tail] for r in rows}) == 1:
        tail += 1
    out = {}
    for spec, row in parts.items():
        kept = row[head:len(row) - tail]
        text = "/".join(p for p in kept if not p.startswith(":"))
        if kept[-1].startswith(":"):
            text = f"{text}{kept[-1]}" if text else kept[-1][1:]  # only the class differs: its name
        out[spec] = text
    if len(set(out.values())) < len(out):  # e.g. a/x.py and a/x.py/ spelled two ways: keep it plain
        return {spec: spec for spec in specs}
    return out
