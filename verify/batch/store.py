"""Results on disk, one folder per engine, so an interrupted batch resumes where it stopped.

``DIR/engines/<slot>/`` holds ``record.json`` (what the summary needs, and the key it was made
under), ``report.txt`` and ``report.html`` (the engine's whole audit). The slot is named after
the engine's spec, resolved, so the same engine lands in the same folder from any batch; the key
is a hash of the engine's files, the verifier's version, the seed and the options, so a result is
reused only when the audit would be the same. ``record.json`` is written last and each file by
rename, so a folder killed half-way is never taken for a result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .fingerprint import engine_hash, verifier_version


def key(spec: str, cwd: str, options: dict[str, Any]) -> str:
    """The hash a stored result must carry to be reused for ``spec`` audited with ``options``."""
    made_of = {"engine": engine_hash(spec, cwd), "spec": spec, "verifier": verifier_version(),
               "options": options}
    return hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()


def slot(spec: str, cwd: str) -> str:
    """The folder name of ``spec``'s results: readable, and unique by the resolved spec."""
    target, _, name = spec.rpartition(":")
    is_file = target.endswith((".py", ".ipynb")) or "/" in target or os.sep in target
    where = str((Path(cwd) / target).resolve()) if is_file else f"{cwd}\0{target}"
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", "_".join(Path(target).parts[-2:]) + "_" + name)[-60:]
    return f"{readable}-{hashlib.sha256((where + ':' + name).encode()).hexdigest()[:10]}"


class Store:
    """The output folder of a batch."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        (self.folder / "engines").mkdir(parents=True, exist_ok=True)

    def path(self, slot_name: str, file: str) -> Path:
        return self.folder / "engines" / slot_name / file

    def load(self, slot_name: str, wanted: str) -> dict[str, Any] | None:
        """The stored record of ``slot_name`` if it was made under the key ``wanted``; else None."""
        try:
            record: dict[str, Any] = json.loads(self.path(slot_name, "record.json").read_text())
        except (OSError, ValueError):
            return None
        if record.get("key") != wanted:
            return None
        for file in ("report.txt", "report.html"):
            if not self.path(slot_name, file).is_file():
                return None
        return record

    def save(self, slot_name: str, record: dict[str, Any], text: str, html: str) -> None:
        """Write the reports, then the record (the mark that the result is complete)."""
        folder = self.folder / "engines" / slot_name
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            (folder / "record.json").unlink()  # a stale record must not outlive the reports it names
        write(folder / "report.txt", text)
        write(folder / "report.html", html)
        write(folder / "record.json", json.dumps(record, indent=1) + "\n")


def write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` by rename: a reader sees the old file or the whole new one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
