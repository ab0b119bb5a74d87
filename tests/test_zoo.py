"""Prove every claim of the engine zoo (tests/engines/zoo/manifest.py), without PyTorch and without the audit.

For each planted bug its witness runs with the zoo class and with
``micrograd.Value`` and the bug must show: gradients or values that differ
(exactly, against hand-written values, for the 1e-12 bugs), the exception,
the hang, the failing protocol step, the attack. Some entries also get a
control snippet on which the same class must agree with micrograd, which
proves the "only" in "wrong only for ...". Crashes, hangs, hostile engines
and the learner's own ``micrograd`` package run isolated, in a subprocess
with a timeout (``zoo/witness.py`` is the runner).

Each correct engine must agree with micrograd on the README example, on a
few hundred seeded random programs (our own generator, so that they are the
same in every run; and ``verify.expressions()`` as a Hypothesis property) and
at the tails. Two correct float64 engines may round differently, and a program can
amplify that (cancellation, ``1 - tanh(x)**2`` near 1), so the allowance per
gradient is measured, not guessed: the program is re-run op by op with every
value and partial perturbed by a few ulps (and a kink's derivative anywhere
between its one-sided ones), and the engine must stay within 8 times the
largest deviation seen, plus 1e-12 relative.
"""

from __future__ import annotations

import ast
import importlib
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import verify
from micrograd import OPS, MathError, Value
from verify.program import Const, Program, Step

ZOO = Path(__file__).resolve().parent / "engines" / "zoo"
if str(ZOO) not in sys.path:
    sys.path.insert(0, str(ZOO))  # the zoo's files import their siblings plainly, as the audit loads them
witness: Any = importlib.import_module("witness")
manifest: Any = importlib.import_module("manifest")

ENTRIES = manifest.ENTRIES
BY_SPEC = manifest.BY_SPEC
PLANTED = [e for e in ENTRIES if e.family != "correct"]
CORRECT = [e for e in ENTRIES if e.family == "correct"]
EPS = 2.0**-52


def ids(entries: list[Any]) -> list[str]:
    return [e.spec for e in entries]


def of_kind(*kinds: str) -> list[Any]:
    return [e for e in PLANTED if e.kind in kinds]


# ---- running witnesses ----

@dataclass
class Isolated:
    """What the runner subprocess did: its result file, exit status and output sizes."""

    result: dict[str, Any]
    returncode: int | None
    timed_out: bool
    stdout_head: bytes
    stderr_head: bytes
    stdout_bytes: int
    stderr_bytes: int
    elapsed: float


def _drain(stream: Any, keep: int, into: dict[str, Any]) -> None:
    head, total = b"", 0
    while chunk := stream.read(1 << 20):
        total += len(chunk)
        if len(head) < keep:
            head += chunk[: keep - len(head)]
    into["head"], into["total"] = head, total


def isolated(spec: str, snippet: str, *, timeout: float = 30.0, flags: str = "",
             tmp_path: Path) -> Isolated:
    """Run the witness in a fresh interpreter (cwd tmp_path); count its output without keeping it."""
    result_file = tmp_path / f"result-{abs(hash((spec, snippet, flags)))}.json"
    command = [sys.executable, str(ZOO / "witness.py"), spec, snippet, str(result_file), flags]
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=tmp_path, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    streams: dict[str, dict[str, Any]] = {"out": {}, "err": {}}
    readers = [threading.Thread(target=_drain, args=(process.stdout, 1 << 16, streams["out"])),
               threading.Thread(target=_drain, args=(process.stderr, 1 << 16, streams["err"]))]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        process.kill()  # our own child, by its pid
        process.wait()
    for reader in readers:
        reader.join(60)
    elapsed = time.monotonic() - start
    result = json.loads(result_file.read_text()) if result_file.exists() else {}
    return Isolated(result, process.returncode, timed_out, streams["out"].get("head", b""),
                    streams["err"].get("head", b""), streams["out"].get("total", 0),
                    streams["err"].get("total", 0), elapsed)


def in_process(spec: str, snippet: str) -> dict[str, Any]:
    return witness.observe(witness.load(spec), snippet)


def reference(snippet: str) -> dict[str, Any]:
    """The witness with our micrograd.Value; it must run cleanly."""
    seen = witness.observe(Value, snippet)
    assert seen["error"] is None, f"micrograd itself fails the witness: {seen['error']}"
    return seen


ISOLATED_KINDS = {"crash", "hang", "hostile"}


def observe(entry: Any, tmp_path: Path, snippet: str | None = None) -> dict[str, Any]:
    """The entry's witness (or another snippet) run where it is safe to run it."""
    snippet = entry.witness if snippet is None else snippet
    if entry.kind in ISOLATED_KINDS or entry.spec.startswith("learner_pkg/"):
        run = isolated(entry.spec, snippet, tmp_path=tmp_path)
        assert "import_error" not in run.result, run.result
        assert not run.timed_out, f"{entry.spec} did not finish in time"
        return run.result
    return in_process(entry.spec, snippet)


# ---- comparing what two engines computed ----

def _number(x: dict[str, Any]) -> Any:
    return witness.decode(x)


def close(a: Any, b: Any, rel: float) -> bool:
    if not (isinstance(a, float) and isinstance(b, float)):
        return False
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) <= rel * max(abs(a), abs(b))


def differences(seen: dict[str, Any], ref: dict[str, Any], rel: float = 1e-9) -> list[str]:
    """Where seen and ref disagree: every value's data, every input's grad."""
    found = []
    for name, slots in ref["values"].items():
        mine = seen["values"].get(name)
        if mine is None:
            found.append(f"{name}: missing")
            continue
        if not close(_number(mine["data"]), _number(slots["data"]), rel):
            found.append(f"{name}.data {_number(mine['data'])!r} != {_number(slots['data'])!r}")
        if name in ref["leaves"] and not close(_number(mine["grad"]), _number(slots["grad"]), rel):
            found.append(f"{name}.grad {_number(mine['grad'])!r} != {_number(slots['grad'])!r}")
    return found


# ---- the manifest itself ----

def _zoo_classes() -> dict[str, set[str]]:
    """Every top-level class of every engine file in the zoo, found by parsing (never importing)."""
    helpers = {"Context", "Function"}
    found: dict[str, set[str]] = {}
    for path in sorted(ZOO.rglob("*.py")):
        relative = path.relative_to(ZOO).as_posix()
        if relative in ("manifest.py", "witness.py"):
            continue
        tree = ast.parse(path.read_text())
        names = {node.name for node in tree.body if isinstance(node, ast.ClassDef)
                 and node.name not in helpers
                 and not any(isinstance(b, ast.Name) and b.id == "Function" for b in node.bases)}
        if names:
            found[relative] = names
    return found


def test_the_manifest_lists_every_zoo_class_once_and_only_those() -> None:
    listed: dict[str, set[str]] = {}
    for entry in ENTRIES:
        listed.setdefault(entry.file, set()).add(entry.cls)
    assert len(BY_SPEC) == len(ENTRIES), "a spec is listed twice"
    assert listed == _zoo_classes()
    assert len(PLANTED) >= 40
    assert len(CORRECT) >= 7


@pytest.mark.parametrize("entry", ENTRIES, ids=ids(ENTRIES))
def test_each_entry_is_well_formed(entry: Any) -> None:
    assert entry.family in manifest.FAMILIES
    assert entry.kind in manifest.KINDS
    assert entry.layout in manifest.LAYOUTS
    assert set(entry.culprit) <= set(OPS), entry.culprit
    assert len(set(entry.culprit)) == len(entry.culprit)
    assert entry.note and "\n" not in entry.note
    assert entry.expected_exit in (0, 1, 2)
    if entry.kind == "none":
        assert entry.expected_exit == 0 and entry.culprit == ()
    if entry.kind == "unusable":
        assert entry.expected_exit == 2 and entry.culprit == ()
    if entry.kind == "traversal":
        assert entry.culprit == ()
    assert entry.category in ("fault", "fragility")
    if entry.kind in ("wrong-rule", "lost-contribution", "crash", "forward", "traversal", "hang"):
        assert entry.expected_exit == (0 if entry.category == "fragility" else 1)
    if entry.family == "two bugs":
        assert len(entry.culprit) == 2
    assert "V(" in entry.witness
    ast.parse(entry.witness)
    assert witness.leaves(entry.witness), "the witness binds no input"


# ---- planted bugs: the witness shows them ----

WRONG_NUMBERS = [e for e in of_kind("wrong-rule", "lost-contribution", "traversal", "forward", "accumulation")
                 if e.family not in ("1e-12", "sometimes")]


@pytest.mark.parametrize("entry", WRONG_NUMBERS, ids=ids(WRONG_NUMBERS))
def test_the_witness_gives_numbers_unlike_micrograd(entry: Any, tmp_path: Path) -> None:
    ref = reference(entry.witness)
    seen = observe(entry, tmp_path)
    assert seen["error"] is None, seen["error"]
    found = differences(seen, ref)
    assert found, f"{entry.spec}: no difference from micrograd beyond 1e-9"
    if entry.kind == "forward":
        assert any(".data" in f for f in found), found


EXACT = {
    # spec: (input, its correct gradient (mpmath, rounded once), the engine's relative error: least, most)
    "rules.py:SinRuleRoundedPi": ("x", 0.0007963267107332633, 1e-12, 1e-11),
    "rules.py:ExpRuleRoundedE": ("x", 10686474581524.463, 1e-13, 1e-12),
    "rules.py:RpowLnRounded": ("x", 1.9605162869370945, 1e-12, 1e-11),
}


@pytest.mark.parametrize("spec", sorted(EXACT))
def test_the_1e12_bugs_against_hand_written_values(spec: str) -> None:
    entry = BY_SPEC[spec]
    assert entry.family == "1e-12"
    name, exact, least, most = EXACT[spec]
    ours = _number(reference(entry.witness)["values"][name]["grad"])
    theirs = _number(in_process(spec, entry.witness)["values"][name]["grad"])
    assert abs(ours - exact) <= 2 * math.ulp(exact), "micrograd is right to 2 ulps here"
    error = abs(theirs - exact) / abs(exact)
    assert least <= error <= most, error
    assert abs(theirs - exact) > 100 * math.ulp(exact), "far beyond rounding"


def test_the_set_order_bug_shows_in_some_runs_and_not_others() -> None:
    entry = BY_SPEC["graphs.py:SetOrderMul"]
    cls = witness.load(entry.spec)
    ref = reference(entry.witness)
    outcomes, keep = [], []
    for _ in range(64):  # fresh objects each time, all kept alive so that ids are not reused
        seen = witness.observe(cls, entry.witness)
        keep.append(seen)
        outcomes.append(not differences(seen, ref))
    assert any(outcomes) and not all(outcomes), f"{sum(outcomes)} of 64 runs right"


CRASHES = {
    # spec: (exception, where: "forward" or "backward")
    "crashes.py:TanhNameError": ("NameError", "forward"),
    "crashes.py:ExpNameError": ("NameError", "forward"),
    "crashes.py:SigmoidBackwardNameError": ("NameError", "backward"),
    "crashes.py:SinBackwardTypeError": ("TypeError", "backward"),
    "crashes.py:AbsSignByDivision": ("ZeroDivisionError", "backward"),
    "crashes.py:MulPartialFromOutput": ("ZeroDivisionError", "backward"),
    "zeros.py:PowRuleFromOutput": ("ZeroDivisionError", "backward"),
    "overflow.py:LectureTanh": ("OverflowError", "forward"),
    "overflow.py:NaiveSigmoid": ("OverflowError", "forward"),
    "overflow.py:SigmoidRuleOverflow": ("OverflowError", "backward"),
}


def test_every_crash_has_an_expected_exception() -> None:
    assert set(CRASHES) == set(ids(of_kind("crash")))


@pytest.mark.parametrize("spec", sorted(CRASHES))
def test_the_witness_raises_where_micrograd_does_not(spec: str, tmp_path: Path) -> None:
    entry = BY_SPEC[spec]
    reference(entry.witness)
    error = observe(entry, tmp_path)["error"]
    expected, stage = CRASHES[spec]
    assert error is not None and error["type"] == expected, error
    assert (".backward()" in error["statement"]) == (stage == "backward"), error


UNREADABLE = {
    "unreadable.py:NoneWhenZero": type(None),
    "unreadable.py:GradAsText": str,
    "unreadable.py:ComplexSqrtGrad": complex,
}


def test_every_unreadable_entry_has_an_expected_type() -> None:
    assert set(UNREADABLE) == set(ids(of_kind("unreadable")))


@pytest.mark.parametrize("spec", sorted(UNREADABLE))
def test_the_gradients_are_not_real_numbers(spec: str) -> None:
    entry = BY_SPEC[spec]
    ref = reference(entry.witness)
    seen = in_process(spec, entry.witness)
    assert seen["error"] is None
    for name in ref["leaves"]:
        assert isinstance(_number(ref["values"][name]["grad"]), float)
        assert isinstance(_number(seen["values"][name]["grad"]), UNREADABLE[spec])


UNUSABLE = {
    # spec: (exception, the statement that raises)
    "unusable.py:NoBackward": ("AttributeError", "y.backward()"),
    "unusable.py:BackwardNeedsSeed": ("TypeError", "y.backward()"),
    "unusable.py:LeafNeedsLabel": ("TypeError", "x = V(2.0)"),
}


def test_every_unusable_entry_has_a_failing_step() -> None:
    assert set(UNUSABLE) == set(ids(of_kind("unusable")))


@pytest.mark.parametrize("spec", sorted(UNUSABLE))
def test_the_protocol_step_fails(spec: str) -> None:
    entry = BY_SPEC[spec]
    reference(entry.witness)
    error = in_process(spec, entry.witness)["error"]
    assert error is not None and (error["type"], error["statement"]) == UNUSABLE[spec], error


def test_the_spin_lock_hangs_its_ops_and_leaves_plus_and_minus_working(tmp_path: Path) -> None:
    entry = BY_SPEC["hangs.py:SpinLockOps"]
    ops = ("x * 3.0", "3.0 * x", "x / 3.0", "3.0 / x", "x ** 2", "x ** 0.5", "x ** x", "2.0 ** x",
           "x.exp()", "x.tanh()", "x.relu()")
    snippets = [entry.witness] + [f"x = V(2.0); y = {op}" for op in ops]
    with ThreadPoolExecutor(len(snippets)) as pool:  # each run waits for its timeout: wait for all at once
        runs = list(pool.map(lambda s: isolated(entry.spec, s, timeout=3.0, tmp_path=tmp_path), snippets))
    for snippet, run in zip(snippets, runs, strict=True):
        assert b"zoo witness: loaded, running" in run.stderr_head, "the engine was loaded before the hang"
        assert run.timed_out and "error" not in run.result, snippet
    snippet = "x = V(2.0); y = x + 1.0 - x - (-x); y.backward()"
    assert not differences(isolated(entry.spec, snippet, tmp_path=tmp_path).result, reference(snippet))


def test_the_animated_backward_is_slow_but_right() -> None:
    entry = BY_SPEC["hangs.py:AnimatedBackward"]
    seen = in_process(entry.spec, entry.witness)
    assert seen["error"] is None and seen["elapsed"] >= 2.5
    assert not differences(seen, reference(entry.witness), rel=1e-12)


# ---- hostile engines, each isolated ----

def test_the_workspace_needs_more_memory_than_a_capped_sandbox_gives(tmp_path: Path) -> None:
    entry = BY_SPEC["hostile.py:AllocatesWorkspace"]
    run = isolated(entry.spec, entry.witness, flags="memcap", tmp_path=tmp_path)
    error = run.result["error"]
    assert error is not None and error["type"] == "MemoryError" and error["statement"] == "y.backward()"


def test_the_renderer_leaves_a_sleeping_child_behind(tmp_path: Path) -> None:
    entry = BY_SPEC["hostile.py:ForksRenderer"]
    run = isolated(entry.spec, entry.witness, tmp_path=tmp_path)
    assert [child["alive"] for child in run.result["children"]] == [True]
    assert not differences(run.result, reference(entry.witness), rel=1e-12)
    assert run.elapsed < 20, "the runner ended the child; nothing waited 40 s"


def test_the_forged_verdict_prints_success_while_mul_is_wrong(tmp_path: Path) -> None:
    entry = BY_SPEC["hostile.py:ForgedVerdict"]
    run = isolated(entry.spec, entry.witness, tmp_path=tmp_path)
    for head in (run.stdout_head, run.stderr_head):
        assert b"no fault found" in head and b"PASS: all 2 input gradients agree" in head
    assert differences(run.result, reference(entry.witness))


def test_the_flood_writes_hundreds_of_megabytes_to_stderr(tmp_path: Path) -> None:
    entry = BY_SPEC["hostile_flood.py:FloodsStderr"]
    run = isolated(entry.spec, entry.witness, tmp_path=tmp_path)
    assert run.stderr_bytes >= 300 << 20
    assert not differences(run.result, reference(entry.witness), rel=1e-12)


def test_importing_forks_a_sleeping_child(tmp_path: Path) -> None:
    entry = BY_SPEC["hostile_fork.py:ForksAtImport"]
    run = isolated(entry.spec, entry.witness, tmp_path=tmp_path)
    assert [child["alive"] for child in run.result["children"]] == [True]
    assert run.result["children"][0]["pid"] != run.result["pid"]
    assert not differences(run.result, reference(entry.witness), rel=1e-12)


def test_the_verifier_patch_halves_what_it_reads_while_gradients_double(tmp_path: Path) -> None:
    entry = BY_SPEC["hostile_patch.py:PatchesVerifier"]
    run = isolated(entry.spec, entry.witness, flags="stub-verifier", tmp_path=tmp_path)
    assert run.result["patched"] == ["verify.audit_worker"]
    assert run.result["stub_grads"] == [g / 2 for g in witness.STUB_GRADS]
    ref = reference(entry.witness)
    assert _number(run.result["values"]["x"]["grad"]) == 2 * _number(ref["values"]["x"]["grad"])
    plain = isolated(entry.spec, entry.witness, tmp_path=tmp_path)
    assert plain.result["patched"] == [], "outside an audit nothing is patched"


def test_every_hostile_entry_has_a_test() -> None:
    tested = {"hostile.py:AllocatesWorkspace", "hostile.py:ForksRenderer", "hostile.py:ForgedVerdict",
              "hostile_flood.py:FloodsStderr", "hostile_fork.py:ForksAtImport",
              "hostile_patch.py:PatchesVerifier"}
    assert tested == set(ids(of_kind("hostile")))


# ---- controls: where a planted engine is right, which proves the "only" ----

CHAIN_900 = "x = V(0.5)\ny = x\nfor _ in range(900):\n    y = y + 1.0\ny.backward()"

CONTROLS = {
    "rules.py:ClippedExp": "x = V(5.0); y = x.exp(); y.backward()",
    "rules.py:SaturatedTanh": "x = V(2.5); y = x.tanh(); y.backward()",
    "rules.py:SaturatedSigmoid": "x = V(-7.0); y = x.sigmoid(); y.backward()",
    "rules.py:MulAbs": "x = V(2.0); y = V(3.0); z = x * y; z.backward()",
    "rules.py:PowAbsBase": "x = V(1.5); y = x ** 2; y.backward()",
    "rules.py:AbsSlopeOne": "x = V(2.0); y = abs(x); y.backward()",
    "rules.py:SqrtEpsilon": "x = V(4.0); y = x.sqrt(); y.backward()",
    "rules.py:DivSquareOverflow": "x = V(1e100); y = V(1e100); z = x / y; z.backward()",
    "rules.py:AbsSlopeViaSqrt": "x = V(-1e100); y = abs(x); y.backward()",
    "rules.py:SinTaylorRule": "x = V(0.1); y = x.sin(); y.backward()",
    "rules.py:RsubTimesConstant": "x = V(0.5); y = 1.0 - x; z = x - 3.0; w = y * z; w.backward()",
    "rules.py:RdivDropsConstant": "x = V(2.0); y = 1.0 / x; z = x / 3.0; w = y * z; w.backward()",
    "rules.py:RpowLikeExp": f"x = V(1.5); y = {math.e!r} ** x; y.backward()",
    "rules.py:PowNoExponentGrad": "x = V(2.0); y = x ** 3.0; y.backward()",
    "rules.py:ReluCut": "x = V(2.0); y = x.tanh(); y.backward()",
    "graphs.py:MulOverwritesOther": "x = V(3.0); y = V(2.0); z = x * y; z.backward()",
    "graphs.py:DictGradsMul": "x = V(3.0); y = V(2.0); z = x * y; z.backward()",
    "graphs.py:DictGradsSub": "x = V(3.0); y = V(2.0); z = x - y; z.backward()",
    "graphs.py:DictGradsDiv": "x = V(3.0); y = V(2.0); z = x / y; z.backward()",
    "graphs.py:PowOverwrites": "x = V(3.0); y = x ** 2; z = y * 2.0; z.backward()",
    "graphs.py:MulOverwrites": "x = V(3.0); y = V(2.0); z = x * y; z.backward()",
    "graphs.py:PairSlots": "x = V(2.0); y = x * x; w = y * y; w.backward()",
    "graphs.py:SharedFlag": "x = V(2.0); n = x * 3.0; y = n * 2.0 + n; y.backward()",
    "graphs.py:BreadthFirst": "x = V(2.0); y = ((x * 2.0).tanh() + 1.0) * 3.0; y.backward()",
    "graphs.py:PreOrder": "x = V(2.0); a = V(3.0); y = (x * a) + (a.exp() * x.sin()); y.backward()",
    "graphs.py:EqualByData": "x = V(2.0); a = x * 2.0; b = x + 3.0; c = a * b; c.backward()",
    "graphs.py:DepthCappedTopo": CHAIN_900,
    "graphs.py:LastNodesOnly": CHAIN_900.replace("900", "9000"),
    "crashes.py:AbsSignByDivision": "x = V(-2.0); y = abs(x); y.backward()",
    "crashes.py:MulPartialFromOutput": "x = V(-2.0); y = V(3.0); z = x * y; z.backward()",
    "overflow.py:LectureTanh": "x = V(1.0); y = x.tanh(); y.backward()",
    "overflow.py:NaiveSigmoid": "x = V(-700.0); y = x.sigmoid(); y.backward()",
    "overflow.py:SigmoidRuleOverflow": "x = V(-350.0); y = x.sigmoid(); y.backward()",
    "forward.py:LeakyForwardRelu": "x = V(2.0); y = x.relu(); y.backward()",
    "forward.py:AbsViaSquareRoot": "x = V(-1e100); y = abs(x); y.backward()",
    "forward.py:CosTaylorForward": "x = V(0.1); y = x.cos(); y.backward()",
    "unreadable.py:NoneWhenZero": "x = V(1.0); y = x.relu(); y.backward()",
    "hostile.py:ForgedVerdict": "x = V(2.0); y = x * x; y.backward()",
    "bare.py:BareValue": "x = V(2.0); y = V(3.0); z = x + y; w = z + z; w.backward()",
    "zeros.py:PowRuleFromOutput": "x = V(-1.5); y = x ** 3; y.backward()",
    "zeros.py:DivRuleFromOutput": "x = V(-1.5); y = V(2.0); z = x / y; z.backward()",
    "zeros.py:MulSkipsZeroFactor": "x = V(2.0); y = V(-3.0); z = x * y; z.backward()",
}


@pytest.mark.parametrize("spec", sorted(CONTROLS))
def test_the_planted_engine_is_right_outside_its_bug(spec: str, tmp_path: Path) -> None:
    snippet = CONTROLS[spec]
    seen = observe(BY_SPEC[spec], tmp_path, snippet)
    assert seen["error"] is None, seen["error"]
    assert not differences(seen, reference(snippet)), snippet


def test_the_bare_engine_has_no_numbers_mixed_in() -> None:
    error = in_process("bare.py:BareValue", "x = V(2.0); y = x + 1.0")["error"]
    assert error is not None and error["type"] == "AttributeError"


def test_the_deep_graph_bugs_need_the_depth() -> None:
    # right below the limit (the controls), wrong just above it
    for spec, depth in (("graphs.py:DepthCappedTopo", 1002), ("graphs.py:LastNodesOnly", 10_001)):
        snippet = f"x = V(0.5)\ny = x\nfor _ in range({depth}):\n    y = y + 1.0\ny.backward()"
        assert differences(in_process(spec, snippet), reference(snippet)), spec


# ---- correct engines ----

@pytest.mark.parametrize("entry", CORRECT, ids=ids(CORRECT))
def test_the_correct_engine_runs_micrograds_readme_example(entry: Any) -> None:
    if entry.spec.startswith("numpy"):
        pytest.importorskip("numpy")
    seen = in_process(entry.spec, entry.witness)
    assert seen["error"] is None
    assert not differences(seen, reference(entry.witness), rel=1e-12)
    g = _number(seen["values"]["g"]["data"])
    assert f"{g:.4f}" == "24.7041"


def _value_error(op: str, xs: list[float]) -> tuple[float, float]:
    """(relative, absolute) error of an op's value, in units of EPS, that a correct engine may make."""
    if op == "pow":
        return 8 + 2 * abs(xs[1] * math.log(xs[0])), 0.0
    if op in ("sin", "cos"):
        return 8.0, 4.0
    return 8.0, 0.0


def _partial_errors(op: str, xs: list[float], out: float) -> list[tuple[float, float]]:
    """(relative, absolute) error of each local partial, in units of EPS."""
    if op == "pow":
        log = math.log(xs[0])
        return [(8 + 2 * abs((xs[1] - 1) * log) + 2 * abs(xs[1] * log), 0.0),
                (8 + 2 * abs(xs[1] * log), 0.0)]
    if op == "tanh":
        return [(8.0, 4.0)]  # 1 - t*t has an absolute error
    if op == "sigmoid":
        return [(8.0, 4.0 * abs(out))]  # s * (1 - s): 1 - s has an absolute error
    if op in ("sin", "cos"):
        return [(8.0, 4.0)]
    return [(8.0, 0.0)] * OPS[op].arity


def run_floats(program: Program, rng: random.Random | None = None) -> tuple[list[float], list[float]]:
    """The program on floats, op by op from the table, in slot order; with rng, as a correct engine
    that rounds differently might compute it: every value and partial off by a few ulps, a kink's
    derivative anywhere between its one-sided ones, contributions summed with other roundings."""
    data = [float(value) for _, value in program.inputs]
    partials = []
    for step in program.steps:
        row = OPS[step.op]
        xs = [a.value if isinstance(a, Const) else data[a] for a in step.args]
        out = row.forward(*xs)
        local = row.grad(out, *xs)
        local = list(local) if isinstance(local, tuple) else [local]
        if rng is not None:
            if row.kinks and xs[0] in row.kinks:
                local = [rng.choice((0.0, 0.5, 1.0)) * (1.0 if step.op == "relu" else rng.choice((-1, 1)))]
            rel, absolute = _value_error(step.op, xs)
            perturbed = out * (1 + rng.uniform(-1, 1) * rel * EPS) + rng.uniform(-1, 1) * absolute * EPS
            local = [p * (1 + rng.uniform(-1, 1) * r * EPS) + rng.uniform(-1, 1) * a * EPS
                     for p, (r, a) in zip(local, _partial_errors(step.op, xs, out), strict=True)]
            out = perturbed
        data.append(out)
        partials.append(local)
    grad = [0.0] * len(data)
    grad[-1] = 1.0
    first = len(program.inputs)
    for j in range(len(program.steps) - 1, -1, -1):
        for arg, p in zip(program.steps[j].args, partials[j], strict=True):
            if isinstance(arg, Const):
                continue
            contribution = p * grad[first + j]
            if rng is not None:
                contribution *= 1 + rng.uniform(-1, 1) * 4 * EPS
            grad[arg] += contribution
    return data, grad


def allowance(program: Program, seed: int) -> tuple[float, list[float]] | None:
    """How far a correct engine may be from micrograd: on the output's value and each input's gradient.

    None where a few ulps of rounding move an operand out of its op's domain: there the program's
    floats are not determined by rounding alone, and this comparison has nothing to say.
    """
    data, grad = run_floats(program)
    rng = random.Random(seed)
    value_spread, grad_spread = 0.0, [0.0] * len(program.inputs)
    for _ in range(8):
        try:
            d, g = run_floats(program, rng)
        except (ArithmeticError, ValueError):
            return None
        value_spread = max(value_spread, abs(d[-1] - data[-1]))
        for i in range(len(program.inputs)):
            grad_spread[i] = max(grad_spread[i], abs(g[i] - grad[i]))
    return value_spread, grad_spread


PROGRAMS = 300
BIG, TINY = 1e15, 1e-15
"""No value of a generated program is beyond BIG in magnitude, or nonzero below TINY."""
BOUNDS = {"exp": 34.0, "tanh": 40.0, "sigmoid": 40.0, "sin": 100.0, "cos": 100.0}
"""Operands of these ops stay within these bounds (wider than the audit's: the tails are the point)."""
POWC_EXPONENTS = (0.5, -0.5, 1.5, -1.5, 0.25, 2.5, -0.75)
BASES = (2.0, 0.5, 3.0, 10.0, math.e)


class ProgramMaker:
    """A seeded generator of expression programs, independent of Hypothesis.

    (Hypothesis mixes the literals of every loaded local module into what it draws,
    so even derandomized runs draw different programs depending on which tests ran
    before; these must not.) Every operand is put inside its op's domain by a shift
    step ``s + c``, as verify.strategies does; it also makes inner nodes shared by
    several steps, ``x * x``, numbers on either side, points exactly at kinks
    (``relu(x - x0)``) and chains up to 300 steps deep.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.inputs: list[tuple[str, float]] = []
        self.steps: list[Step] = []
        self.values: list[float] = []

    def point(self, region: Any = None, bound: float = 1e6) -> float:
        rng = self.rng
        if rng.random() < 0.4:
            x = rng.choice((0.5, 1.0, 1.5, 2.0, 3.0, 0.25))
        else:
            x = rng.uniform(1.0, 10.0) * 10.0 ** rng.randint(-6, 6)
        x = min(x, bound) * rng.choice((-1.0, 1.0))
        if region is not None and x not in region:
            x = abs(x) if abs(x) in region else 1.0
        return x

    def push(self, op: str, args: list[Any]) -> int | None:
        xs = [a.value if isinstance(a, Const) else self.values[a] for a in args]
        try:
            out = float(OPS[op].forward(*xs))
        except (ArithmeticError, ValueError):
            return None
        if not math.isfinite(out) or abs(out) > BIG or 0.0 < abs(out) < TINY:
            return None
        self.steps.append(Step(op, tuple(args)))
        self.values.append(out)
        return len(self.values) - 1

    def slot(self) -> int:
        used = {a for step in self.steps for a in step.args if not isinstance(a, Const)}
        newest = list(range(len(self.values) - 1, -1, -1))
        order = [s for s in newest if s not in used] + [s for s in newest if s in used]
        return order[min(int(self.rng.expovariate(0.7)), len(order) - 1)]

    def inside(self, slot: int, region: Any, bound: float) -> int:
        value = self.values[slot]
        room = 1e-9 * abs(value) + 1e-12
        if abs(value) <= bound and any(lo + room < value < hi - room for lo, hi in region.intervals) \
                and (region.intervals != ((0.0, math.inf),) or value > 1e-12):
            return slot
        target = self.point(region, bound)
        moved = self.push("add", [slot, Const(target - value)])
        if moved is not None and self.values[moved] in region and abs(self.values[moved]) <= bound * 1.01:
            return moved
        if moved is not None:
            self.steps.pop()
            self.values.pop()
        moved = self.push("add", [slot, Const(1.0 - value)])
        return moved if moved is not None and self.values[moved] in region else slot

    def constant(self, op: str, index: int) -> float:
        if op == "powi":
            return float(self.rng.randint(-3, 4))
        if op == "powc":
            return self.rng.choice(POWC_EXPONENTS)
        if op == "pow":
            return self.rng.choice(BASES)
        return self.point(OPS[op].domain[index])

    def apply(self, op: str) -> None:
        row, rng = OPS[op], self.rng
        side = 2 if row.constant else 0
        if row.arity == 2 and not row.constant:
            side = rng.choice((0, 0, 0, 0, 1, 2)) if op != "pow" else rng.choice((0, 0, 1))
        same = row.arity == 2 and side == 0 and rng.random() < 0.2
        args: list[Any] = []
        for i in range(row.arity):
            if side == i + 1:
                args.append(Const(self.constant(op, i)))
            elif same and i == 1:
                args.append(args[0])
            else:
                bound = BOUNDS.get(op, BIG)
                if op == "pow":
                    bound = 1e3 if i == 0 else (4.0 if side == 0 else 30.0)
                args.append(self.inside(self.slot(), row.domain[i], bound))
        self.push(op, args)

    def kink(self) -> None:
        op = self.rng.choice(("relu", "abs"))
        slot = self.rng.randrange(len(self.inputs))
        offset = self.rng.choice((0.0, 0.0, 1e-9, -1e-9, 0.5))
        moved = self.push("sub", [slot, Const(self.values[slot] - offset)])
        if moved is not None:
            self.push(op, [moved])

    def chain(self) -> None:
        up, down, c = self.rng.choice((("add", "sub", 0.5), ("mul", "div", 2.0), ("mul", "div", 0.5)))
        slot = self.slot()
        for k in range(self.rng.randint(20, 300)):
            moved = self.push(up if k % 2 == 0 else down, [slot, Const(c)])
            if moved is None:
                return
            slot = moved

    def program(self) -> Program:
        for name in ("x", "y", "z")[: self.rng.randint(1, 3)]:
            value = self.point()
            self.inputs.append((name, value))
            self.values.append(value)
        for _ in range(self.rng.randint(1, 12)):
            r = self.rng.random()
            if r < 0.08:
                self.kink()
            elif r < 0.12:
                self.chain()
            else:
                self.apply(self.rng.choice(sorted(OPS)))
        return Program(tuple(self.inputs), tuple(self.steps))


@cache
def random_programs() -> tuple[Program, ...]:
    """PROGRAMS seeded programs over every op; the same ones in every run."""
    return tuple(ProgramMaker(seed).program() for seed in range(PROGRAMS))


def outcome(cls: type, program: Program) -> tuple[float, list[float]]:
    slots = program.run(cls, catch=())
    return float(slots[-1].data), [float(slots[i].grad) for i in range(len(program.inputs))]


def disagreements(cls: type, program: Program, seed: int) -> list[str] | None:
    """Where cls is farther from micrograd than the allowance; None if micrograd cannot run it or the
    allowance cannot be told (rounding alone moves an operand out of its domain)."""
    try:
        value, grads = outcome(Value, program)
    except MathError:
        return None  # outside what micrograd computes (an overflowing gradient): nothing to compare
    theirs_value, theirs = outcome(cls, program)
    allowed = allowance(program, seed)
    if allowed is None:
        return None
    value_spread, spread = allowed
    problems = []
    if not abs(theirs_value - value) <= 1e-12 * abs(value) + 8 * value_spread:
        problems.append(f"value {theirs_value!r} vs {value!r}")
    for i, (a, b) in enumerate(zip(theirs, grads, strict=True)):
        if not abs(a - b) <= 1e-12 * abs(b) + 8 * spread[i] + 1e-300:
            problems.append(f"{program.inputs[i][0]}.grad {a!r} vs {b!r} (allowed {8 * spread[i]:.3g})")
    return problems


def correct_class(entry: Any) -> type:
    if entry.spec.startswith("numpy"):
        pytest.importorskip("numpy")
    cls: type = witness.load(entry.spec)
    return cls


@pytest.mark.property
@pytest.mark.parametrize("entry", CORRECT, ids=ids(CORRECT))
def test_the_correct_engine_agrees_with_micrograd_on_random_programs(entry: Any) -> None:
    cls = correct_class(entry)
    compared, failures = 0, []
    for k, program in enumerate(random_programs()):
        problems = disagreements(cls, program, k)
        if problems is None:
            continue
        compared += 1
        if problems:
            failures.append(f"{program.source()}\n  " + "\n  ".join(problems))
    assert compared >= 0.9 * len(random_programs())
    assert not failures, f"{len(failures)} programs disagree:\n" + "\n\n".join(failures[:3])


@pytest.mark.property
@pytest.mark.parametrize("entry", CORRECT, ids=ids(CORRECT))
def test_the_correct_engine_agrees_with_micrograd_on_verify_expressions(entry: Any) -> None:
    cls = correct_class(entry)

    @settings(deadline=None, suppress_health_check=list(HealthCheck))
    @given(verify.expressions())
    def agrees(program: Program) -> None:
        assert disagreements(cls, program, 0) in (None, [])

    agrees()


CAUGHT = (
    "rules.py:RpowLnRounded", "rules.py:SaturatedTanh", "rules.py:ClippedExp", "rules.py:MulAbs",
    "rules.py:SqrtEpsilon", "rules.py:LogEpsilon", "rules.py:SinTaylorRule", "rules.py:RsubTimesConstant",
    "graphs.py:DictGradsMul", "graphs.py:PowOverwrites", "graphs.py:PairSlots", "graphs.py:BreadthFirst",
    "graphs.py:PreOrder",
)


@pytest.mark.property
@pytest.mark.parametrize("spec", CAUGHT)
def test_the_same_comparison_catches_planted_bugs(spec: str) -> None:
    # the allowance is no blank cheque: a relative error of 2.6e-12 in one rule is caught
    cls = witness.load(spec)
    assert any(disagreements(cls, program, k) for k, program in enumerate(random_programs()))


TAILS = [("tanh", 500.0), ("tanh", -500.0), ("sigmoid", 500.0), ("sigmoid", -500.0),
         ("exp", 700.0), ("exp", 709.0), ("log", 1e-300), ("log", 1e300), ("sqrt", 1e-300),
         ("sqrt", 1e300), ("sin", 1e-300), ("cos", 700.0)]


@pytest.mark.parametrize("entry", CORRECT, ids=ids(CORRECT))
@pytest.mark.parametrize(("op", "x"), TAILS)
def test_the_correct_engine_is_right_at_the_tails(entry: Any, op: str, x: float) -> None:
    cls = correct_class(entry)
    # y = op(x) + op(x * 1.0) * 0.5: the op on a leaf and on an inner node
    program = Program((("x", x),), (Step(op, (0,)), Step("mul", (0, Const(1.0))), Step(op, (2,)),
                                     Step("mul", (3, Const(0.5))), Step("add", (1, 4))))
    assert disagreements(cls, program, 0) == []


@pytest.mark.parametrize(("spec", "slope"), [("base.py:Value", 0.0), ("tape.py:Value", 0.5),
                                             ("opcodes.py:Value", 1.0), ("altrules.py:Value", 0.0)])
def test_the_correct_engines_pick_different_slopes_at_relus_kink(spec: str, slope: float) -> None:
    seen = in_process(spec, "x = V(0.0); y = x.relu(); y.backward()")
    assert _number(seen["values"]["x"]["grad"]) == slope


def test_the_global_tape_skips_other_graphs() -> None:
    tape = importlib.import_module("tape")
    a = tape.Value(1.5)
    b = a * 2.0  # another graph, recorded between x's leaf and its output
    b.backward()
    snippet = "x = V(0.5); u = x.exp() * 3.0; v = u + x; v.backward()"
    seen = witness.observe(tape.Value, snippet)
    assert not differences(seen, reference(snippet), rel=1e-12)
    assert a.grad == 2.0, "the other graph got nothing more"


def test_the_runner_imports_the_learners_own_micrograd_package(tmp_path: Path) -> None:
    entry = BY_SPEC["learner_pkg/micrograd/engine.py:Value"]
    own = "x = V(1.0); import micrograd, micrograd.topo; assert 'learner_pkg' in micrograd.__file__"
    run = isolated(entry.spec, own, tmp_path=tmp_path)
    assert run.result["error"] is None, run.result
    seen = observe(entry, tmp_path, "x = V(1.0); y = x.tanh(); y.backward()")
    assert not differences(seen, reference("x = V(1.0); y = x.tanh(); y.backward()"))


def test_the_package_engines_are_the_ones_in_the_zoo(tmp_path: Path) -> None:
    assert "relpkg" in witness.load("relpkg/engine.py:Value").__module__
    assert witness.load("005_x-y_revgrad.py:Value").__module__ == "zoo_005_x_y_revgrad"
    assert os.path.isfile(ZOO / "learner_pkg" / "micrograd" / "topo.py")
