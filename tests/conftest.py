"""Hypothesis profiles and pytest markers shared by the whole suite.

HYPOTHESIS_PROFILE picks the profile: ``ci`` (default; derandomized, sized
for CI), ``slice`` (derandomized, ten times the programs: ``tox -e slice``, a
short slice of the deep campaign that CI runs too) or ``deep`` (a long
campaign: ``tox -e deep`` runs the tests marked ``property`` with it on every
core).
"""

from __future__ import annotations

import contextlib
import io
import os
import runpy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import micrograd
from micrograd import OPS

ROOT = Path(__file__).resolve().parent.parent


def _children_import_what_we_imported() -> None:
    """A process a test starts (an audit's worker, a CLI run) imports the same copy of the code as the test.

    ``python -m pytest`` puts the current folder first on ``sys.path``: in a
    checkout beside a non-editable install the tests import the checkout's
    micrograd and verify, while the processes they start would import the
    installed ones, two versions in one test. Plain ``pytest``, tox and an
    editable install import one copy everywhere, and then nothing changes.
    """
    if Path(micrograd.__file__).resolve().parent.parent != ROOT:
        return  # an installed copy: every child finds it the same way
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(ROOT) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *paths])


_children_import_what_we_imported()

_SLOW_GENERATION = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

# ci and slice replay exactly (derandomized, no database): a red run is reproducible from its output
_REPLAYABLE = {"derandomize": True, "deadline": None, "database": None, "print_blob": True,
               "suppress_health_check": _SLOW_GENERATION}
settings.register_profile("ci", max_examples=40, **_REPLAYABLE)
settings.register_profile("slice", max_examples=400, **_REPLAYABLE)
settings.register_profile(
    "deep",
    deadline=None,
    max_examples=100_000,
    print_blob=True,
    suppress_health_check=_SLOW_GENERATION,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "property: a Hypothesis property; `tox -e deep` runs these with the deep profile"
    )
    config.addinivalue_line(
        "markers", "slow: runs the audit's CLI in a subprocess (a few seconds); `-m 'not slow'` skips them"
    )


SEED_EXAMPLE = ROOT / "examples" / "seed.py"


@pytest.fixture
def seed_example() -> tuple[dict[str, Any], str]:
    """Run examples/seed.py (micrograd's README example) as a script: its globals and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        names = runpy.run_path(str(SEED_EXAMPLE))
    return names, printed.getvalue()



@pytest.fixture
def plant_rule() -> Iterator[Callable[[str, Callable[..., Any]], None]]:
    """Give one op a different backward rule for the length of a test.

    The row is changed in place: the engine's methods and every node share
    it. Rows are frozen, which is right everywhere but here.
    """
    saved: list[tuple[Any, Callable[..., Any]]] = []

    def plant(name: str, grad: Callable[..., Any]) -> None:
        row = OPS[name]
        saved.append((row, row.grad))
        object.__setattr__(row, "grad", grad)

    yield plant
    for row, grad in reversed(saved):
        object.__setattr__(row, "grad", grad)


@pytest.fixture
def valid_report() -> Callable[[Any], Any]:
    """Check a JSON document of ``verify expr`` against verify/report/report.schema.json; returns it."""
    import jsonschema

    from verify.report import schema

    validator = jsonschema.Draft202012Validator(schema())

    def check(document: Any) -> Any:
        validator.validate(document)
        return document

    return check
