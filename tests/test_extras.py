"""The extras and what names them agree: every optional test runs under tox, every install line installs.

A test that imports an optional package with ``pytest.importorskip`` skips
where the package is missing; tox installs the ``dev`` extra, so each such
package must be in it or CI never runs that test. The tutorial notebook's
install lines are checked as the README's are (``tests/readme.py``).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from readme import ROOT, _pyproject, install_problem

TUTORIAL = ROOT / "examples" / "audit_your_engine.ipynb"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def _extra(name: str) -> set[str]:
    """The distributions an extra installs; ``dask[distributed]`` also brings ``distributed``."""
    names: set[str] = set()
    for requirement in _pyproject()["project"]["optional-dependencies"][name]:
        names.add(_name(requirement))
        extras = re.search(r"\[([^\]]+)\]", requirement)
        if extras:
            names |= {e.strip().lower() for e in extras.group(1).split(",")}
    return names


def _skipped_imports() -> dict[str, list[str]]:
    """Each module a test file imports with pytest.importorskip, and the files that do."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "importorskip" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, []).append(path.name)
    return found


def test_every_optional_test_package_is_in_the_dev_extra_that_tox_installs() -> None:
    skipped = _skipped_imports()
    assert {"numpy", "matplotlib", "graphviz"} <= set(skipped)  # the tests this guards are found
    provided = _extra("dev") | {"nbformat"}  # nbformat comes with nbclient
    missing = {module: files for module, files in skipped.items() if module.lower() not in provided}
    assert missing == {}, f"tox would skip these tests: add the packages to the dev extra: {missing}"


def test_tox_installs_the_dev_extra_in_its_test_envs() -> None:
    config = (ROOT / "tox.ini").read_text(encoding="utf-8")
    base = config[config.index("[testenv]"):].split("\n[", 1)[0]
    assert re.search(r"^extras\s*=\s*dev\s*$", base, re.MULTILINE)


def test_ci_installs_dot_and_bwrap_only_where_it_can() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = script.index("apt-get install -y -qq graphviz bubblewrap")
    guard = script.rindex("if ", 0, install)
    assert 'id -u)" = 0' in script[guard:install] and "command -v apt-get" in script[guard:install]
    assert script.index("apt-get install") < script.index("\ntox")


def _install_lines(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return re.findall(r"`(pip install [^`]+)`", text)


def test_the_tutorials_install_line_names_an_extra_that_exists() -> None:
    lines = _install_lines(TUTORIAL)
    assert lines == ["pip install '.[notebook]'"]
    assert [install_problem(line) for line in lines] == [None]


def test_the_notebook_extra_brings_jupyter_and_a_kernel() -> None:
    assert {"jupyterlab", "ipykernel"} <= _extra("notebook")


def test_a_missing_extra_is_caught() -> None:
    assert "no extra 'notebok'" in (install_problem("pip install '.[notebok]'") or "")
