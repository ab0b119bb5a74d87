"""A pytest plugin for mutation runs (mutmut.cfg loads it): a cache filled before mutmut forks is emptied
for a mutant of the code that fills it.

mutmut imports the tests (and runs some) in the process it forks one child per mutant from: an op's
calculus derived there (``calculus._derive``, which runs ``ball.compile_expr`` and the SymPy namespace)
or an op's exactness in floats (``allowance._exact_in_floats``, and its constant partials ``_POINTS``)
would be inherited, and the mutant in
the code that made it would never run. Each session empties the caches its mutant could hide behind.
While mutmut traces which tests reach which function ("stats"), every test starts with empty caches,
so each test that needs an op's calculus is seen to reach the code that derives it.
"""

from __future__ import annotations

import os
from typing import Any

_FILLED_BY = {
    "verify.oracle.calculus.": "calculus", "verify.oracle.ball.": "calculus", "verify.oracle.ns.": "calculus",
    "verify.judge.allowance.": "allowance",
}


def _empty(which: set[str]) -> None:
    if "calculus" in which:
        from verify.oracle.calculus import _derive
        _derive.cache_clear()
    if "allowance" in which:
        from verify.judge.allowance import _POINTS, _exact_in_floats
        _exact_in_floats.cache_clear()
        _POINTS.clear()


def pytest_sessionstart(session: Any) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    _empty({which for prefix, which in _FILLED_BY.items() if mutant.startswith(prefix)})


def pytest_runtest_setup(item: Any) -> None:
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _empty(set(_FILLED_BY.values()))
