"""The README is tested: every block runs, and every output it shows is the real one.

The conventions (which block is whose output) are in ``tests/readme.py``, which
also regenerates the output blocks: ``python tests/readme.py --write``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readme

TEXT = readme.README.read_text(encoding="utf-8")
CHECKS = readme.plan(TEXT)


@pytest.fixture(scope="module")
def runner() -> Iterator[readme.Runner]:
    with readme.Runner.make() as made:
        yield made


def _id(check: readme.Check) -> str:
    return f"line{check.line}-{check.kind}-{check.key[:40]}"


@pytest.mark.parametrize("check", CHECKS, ids=[_id(c) for c in CHECKS])
def test_readme_block(check: readme.Check, runner: readme.Runner) -> None:
    if check.pending:
        pytest.skip(f"pending ({check.pending}): readme.PENDING, to be emptied when that work lands")
    outcome = runner.run(check)
    assert outcome.ok, outcome.message
    if check.expected is not None:
        assert outcome.actual is not None
        assert readme.same(check.expected, outcome.actual), (
            f"README line {check.line} shows an output that is not the real one; regenerate it with "
            f"`python tests/readme.py --write`.\n--- README\n{check.expected}\n--- real\n{outcome.actual}")


def test_every_pending_entry_names_a_block() -> None:
    keys = {check.key for check in CHECKS}
    assert set(readme.PENDING) <= keys, set(readme.PENDING) - keys


def test_only_the_audit_is_pending() -> None:
    # Everything outside the audit's section is checked now.
    audit = TEXT.index("## Audit any micrograd-style engine")
    after = TEXT.index("\n## ", audit + 1)
    audit_lines = range(TEXT[:audit].count("\n") + 1, TEXT[:after].count("\n") + 1)
    assert all(check.line in audit_lines for check in CHECKS if check.pending)


def test_every_output_block_is_claimed_by_a_check() -> None:
    claimed = {c.output.start for c in CHECKS if c.output is not None}
    for block in readme.blocks_of(TEXT):
        if block.info == "text" and block.directive != "figure":
            assert block.start in claimed or readme.PENDING.get(block.first), block.first


# ---- the harness itself, on small READMEs of its own ----

def test_an_edited_output_block_fails(runner: readme.Runner) -> None:
    text = "```text\n$ echo hello; exit 3\nhello\n[exit 3]\n```\n"
    check, = readme.plan(text)
    outcome = runner.run(check)
    assert check.expected is not None and outcome.actual is not None
    assert readme.same(check.expected, outcome.actual)
    edited, = readme.plan(text.replace("hello\n[", "hello!\n["))
    assert edited.expected is not None and not readme.same(edited.expected, outcome.actual)


def test_every_kind_of_block_and_regeneration(runner: readme.Runner, tmp_path: Path) -> None:
    text = "\n".join([
        "```python", "print(6 * 7)", "```", "```text", "41", "```", "",
        "```text", ">>> 1 + 1", "3", ">>> def f():", "...     return 'x'", "...", ">>> f()", "```", "",
        "```text", "$ printf 'a  \\nb\\n' && echo took 1.5 s", "wrong", "```", "",
        "<!-- readme: figure -->", "```text", "a -> b", "```", "",
        "```bash", "pip install '.[test]' && true   # a comment", "pip install '.[nope]'", "false", "```",
        "",
    ])
    checks = readme.plan(text)
    assert [c.kind for c in checks] == ["script", "session", "command", "figure", "install", "run", "install",
                                        "run"]
    results = {n: runner.run(c) for n, c in enumerate(checks)}
    assert [r.ok for r in results.values()] == [True, True, True, True, True, True, False, False]
    assert results[0].actual == "42"
    assert results[1].actual == ">>> 1 + 1\n2\n>>> def f():\n...     return 'x'\n...\n>>> f()\n'x'"
    assert results[2].actual == "a\nb\ntook 1.5 s"
    new = readme.regenerate(text, results, checks)
    assert "```text\n42\n```" in new and ">>> 1 + 1\n2\n" in new and "a\nb\ntook 1.5 s" in new
    # Timings are all that differs: the README's are kept, so a rerun does not churn it.
    checks_again = readme.plan(new.replace("took 1.5 s", "took 9.25 s"))
    assert readme.same(checks_again[2].expected or "", results[2].actual or "")


def test_an_unclaimed_block_is_an_error(runner: readme.Runner) -> None:
    check, = readme.plan("```text\nsome output of something\n```\n")
    assert check.kind == "unclassified" and not runner.run(check).ok
    check, = readme.plan("```toml\n[x]\n```\n")
    assert not runner.run(check).ok


def test_an_excerpt_must_be_in_its_file(runner: readme.Runner) -> None:
    good, = readme.plan("<!-- readme: excerpt tox.ini -->\n```ini\n[tox]\n...\n[testenv:lint]\n```\n")
    assert runner.run(good).ok
    bad, = readme.plan("<!-- readme: excerpt tox.ini -->\n```ini\n[testenv:lint]\n[tox]\n```\n")
    assert not runner.run(bad).ok
