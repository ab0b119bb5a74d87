"""benchmarks/README.md holds only numbers the benchmark scripts printed, and says which script version did.

The numbers depend on the machine, so nothing here compares timings: the
check reads the file's structure and provenance (``benchmarks/readme.py``).
One test regenerates a block with a real, quick run of a real script.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_readme", ROOT / "benchmarks" / "readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_readme"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


bench = _load()
TEXT = bench.README.read_text(encoding="utf-8")


def test_the_benchmarks_readme_is_what_the_scripts_printed() -> None:
    assert bench.problems(TEXT) == []
    scripts = {block.script for block in bench.blocks(TEXT.splitlines())}
    assert scripts == {"bench_engine.py", "bench_verify.py", "bench_expr.py", "audit_class.py",
                       "soundness_campaign.py", "tensor_zoo.py"}


def test_a_number_typed_into_the_prose_is_refused() -> None:
    text = TEXT.replace("Timings, not tests", "Timings, not tests (the MLP check takes 6.1 s)", 1)
    assert bench.problems(text) == [
        "line 3: a measured number written by hand ('6.1 s'): it drifts; quote a generated block instead"]


def test_numbers_measured_by_an_older_script_are_refused() -> None:
    marker = next(line for line in TEXT.splitlines() if line.startswith("<!-- bench: bench_verify.py"))
    stale = marker.replace(f"source {bench.fingerprint('bench_verify.py')}", "source 000000000000")
    said = bench.problems(TEXT.replace(marker, stale))
    assert len(said) == 1
    assert "(bench_verify.py): the script changed since its numbers were measured" in said[0]


def test_a_block_that_is_not_the_commands_output_is_refused() -> None:
    text = TEXT.replace("$ PYTHONPATH=. python benchmarks/bench_expr.py --runs 7",
                        "$ PYTHONPATH=. python benchmarks/bench_expr.py --runs 1")
    said = bench.problems(text)
    assert len(said) == 1 and "does not start with the marker's command" in said[0]


def test_a_marker_never_generated_is_refused() -> None:
    said = bench.problems("# B\n\n<!-- bench: bench_expr.py --runs 1 -->\n```text\n```\n")
    assert said[0].startswith("line 3 (bench_expr.py): never generated")


@pytest.mark.slow
def test_write_runs_the_script_and_records_where() -> None:
    text = "# B\n\nIntro.\n\n<!-- bench: bench_expr.py --runs 1 -->\n```text\n```\n\nAfter.\n"
    written = bench.write(text)
    assert bench.problems(written) == []
    lines = written.splitlines()
    marker = bench.MARKER.match(lines[4])
    assert marker is not None and marker["source"] == bench.fingerprint("bench_expr.py")
    assert marker["where"].startswith("Python ")
    assert lines[6] == "$ PYTHONPATH=. python benchmarks/bench_expr.py --runs 1"
    assert lines[7] == "1 runs each, median / max wall seconds"
    assert lines[:4] == ["# B", "", "Intro.", ""] and lines[-2:] == ["", "After."]
