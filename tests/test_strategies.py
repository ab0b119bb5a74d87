"""The expression strategies: valid programs, every op in its domain, and the shapes bugs hide in."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis.errors import InvalidArgument

from micrograd.ops import OPS, POSITIVE
from verify.audit.coverage import features
from verify.program import Const, Program
from verify.strategies import expressions, expressions_in, points

FIND = settings(database=None, derandomize=True, max_examples=3000)


def _operand_values(program: Program) -> list[tuple[str, list[float]]]:
    """Each step's op and the float values of its operands (evaluated with the table's forward)."""
    values = [v for _, v in program.inputs]
    seen = []
    for step in program.steps:
        xs = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        seen.append((step.op, xs))
        values.append(OPS[step.op].forward(*xs))
    return seen


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ops": ["add", "nope"]},
        {"ops": "add"},
        {"ops": []},
        {"max_leaves": 0},
        {"max_leaves": 99},
        {"max_nodes": 0},
        {"max_depth": -1},
        {"max_nodes": 2.5},
        {"constants_left": ["relu"]},
    ],
)
def test_bad_arguments_are_rejected_eagerly(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        expressions(**kwargs)  # type: ignore[arg-type]


def test_bad_point_bounds_are_rejected_eagerly() -> None:
    with pytest.raises(InvalidArgument):
        points(min_magnitude=0.0)
    with pytest.raises(InvalidArgument):
        points(region="positive")  # type: ignore[arg-type]


@given(expressions())
def test_every_operand_lies_in_its_ops_domain(program: Program) -> None:
    for op, xs in _operand_values(program):
        row = OPS[op]
        for x, region in zip(xs, row.domain, strict=True):
            assert x in region, f"{op} operand {x!r} outside its domain"
        assert math.isfinite(row.forward(*xs))


@given(expressions(ops=["log", "sqrt", "mul"], max_leaves=2, max_nodes=4, max_depth=0))
def test_only_the_chosen_ops_are_drawn_besides_shifts(program: Program) -> None:
    assert len(program.inputs) <= 2
    # add shifts operands into a domain, sub places them at kinks (none here)
    assert {s.op for s in program.steps} <= {"log", "sqrt", "mul", "add"}


@given(points(region=POSITIVE, min_magnitude=1e-3, max_magnitude=1e3))
def test_points_stay_in_region_and_bounds(x: float) -> None:
    assert x in POSITIVE
    assert 1e-3 <= x <= 1e3


class _Reached(Exception):
    pass


def _reaches(predicate: Callable[[Program], bool], **kwargs: object) -> None:
    """Some drawn program satisfies ``predicate`` (no shrinking: only reachability matters)."""
    kwargs.setdefault("max_depth", 0)  # chains are slow to draw and beside the point here

    @settings(FIND, phases=(Phase.generate,))
    @given(expressions(**kwargs))  # type: ignore[arg-type]
    def search(program: Program) -> None:
        if predicate(program):
            raise _Reached

    with pytest.raises(_Reached):
        search()


@pytest.mark.parametrize("feature", ["shared", "fan-out", "same", "const-left", "const-right", "deep", "kink",
                                     "near-kink", "large", "small"])
def test_reaches_every_feature(feature: str) -> None:
    _reaches(lambda p: feature in features(p), max_depth=300 if feature == "deep" else 0)


_SIDES = [(name, side) for name, row in OPS.items() if row.arity == 2 and not row.constant for side in (0, 1)
          # x ** 2.0 is powi, never pow: pow's exponent is always a Value
          if (name, side) != ("pow", 1)]


@pytest.mark.parametrize(("op", "side"), _SIDES)
def test_a_number_on_either_side_of_every_binary_op(op: str, side: int) -> None:
    _reaches(lambda p: any(s.op == op and isinstance(s.args[side], Const) for s in p.steps), max_depth=0)


def test_negative_operands_where_the_domain_allows() -> None:
    for op in ("mul", "powi", "tanh", "sin", "div", "relu", "abs"):
        _reaches(lambda p, op=op: any(name == op and xs[0] < 0 for name, xs in _operand_values(p)))


def test_domain_edges_are_reached() -> None:
    _reaches(lambda p: any(op == "log" and xs[0] <= 1e-6 for op, xs in _operand_values(p)))
    _reaches(lambda p: any(op == "div" and abs(xs[1]) <= 1e-6 for op, xs in _operand_values(p)))


def test_magnitudes_span_many_orders() -> None:
    _reaches(lambda p: any(abs(v) >= 1e7 for _, v in p.inputs))
    _reaches(lambda p: any(0 < abs(v) <= 1e-7 for _, v in p.inputs))


def test_chains_reach_hundreds_of_levels() -> None:
    _reaches(lambda p: len(p.steps) >= 250, max_depth=300)


@given(expressions(ops=["powi", "powc"], max_depth=0))
def test_powc_exponents_are_never_integral_and_powi_ones_always(program: Program) -> None:
    for step in program.steps:
        if step.op in ("powi", "powc"):
            k = step.args[1]
            assert isinstance(k, Const)
            assert k.value.is_integer() == (step.op == "powi")


def test_shrinking_gives_a_tiny_readable_program() -> None:
    program = find(expressions(), lambda p: any(s.op == "sqrt" for s in p.steps), settings=FIND)
    # Ideally x = Value(0.5); v1 = x.sqrt(). The shrinker may stop a few steps
    # short of that (a shift or kink step before the sqrt), never far from it.
    assert len(program.inputs) == 1
    assert len(program.steps) <= 4
    assert program.steps[-1].op == "sqrt"


# ---- live programs: every input and step feeds the output; sharing, layouts and ops spread ----

def _feeds_everything(program: Program) -> bool:
    return program.feeding_output() == set(range(program.size))


@given(expressions())
def test_the_output_depends_on_every_input_and_every_step(program: Program) -> None:
    assert _feeds_everything(program), program.source()


@given(expressions(ops=["tanh", "exp"], max_leaves=3))
def test_unary_only_programs_are_joined_into_the_output_too(program: Program) -> None:
    assert _feeds_everything(program), program.source()
    assert {s.op for s in program.steps} <= {"tanh", "exp", "add", "sub"}


@given(expressions(ops=["mul", "tanh", "log"], helpers=False))
def test_without_helpers_only_the_given_ops_appear(program: Program) -> None:
    assert {s.op for s in program.steps} <= {"mul", "tanh", "log"}
    for op, xs in _operand_values(program):
        for x, region in zip(xs, OPS[op].domain, strict=True):
            assert x in region


@given(expressions_in({"add": {"x o y"}, "mul": {"x o y", "x o x"}}))
def test_expressions_in_draws_only_the_given_layouts(program: Program) -> None:
    from verify.audit.findings import layout_of

    assert {(s.op, layout_of(s)) for s in program.steps} <= {("add", "x o y"), ("mul", "x o y"),
                                                              ("mul", "x o x"), ("add", "x o x")}
    assert all(not isinstance(a, Const) for s in program.steps for a in s.args)  # no numbers at all


def _census(strategy: object, n: int = 300) -> tuple[Counter[str], Counter[str], int]:
    ops: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    count = [0]

    @settings(FIND, max_examples=n, phases=(Phase.generate,))
    @given(strategy)  # type: ignore[arg-type]
    def census(program: Program) -> None:
        count[0] += 1
        ops.update(s.op for s in program.steps)
        seen.update(features(program))

    census()
    return ops, seen, count[0]


def test_sharing_is_common_and_no_input_is_left_unused() -> None:
    _, seen, n = _census(expressions(max_depth=0))
    assert seen["unused"] == 0
    assert seen["shared"] + seen["same"] >= n // 4  # reused nodes: where accumulation bugs live
    assert seen["fan-out"] >= n // 10  # a node with three or more consumers
    assert seen["const-left"] >= n // 10


def test_every_op_is_drawn_about_as_often() -> None:
    # add, sub and mul also serve as helper steps (shifts, kinks, joins): count the others
    drawn, _, _ = _census(expressions(max_depth=0))
    counts = {op: drawn[op] for op in OPS if op not in ("add", "sub", "mul")}
    assert min(counts.values()) * 5 >= max(counts.values()), counts  # it was 1 to 47
    assert min(counts.values()) >= 15, counts


def test_constants_are_drawn_widely() -> None:
    constants: list[float] = []

    @settings(FIND, max_examples=200, phases=(Phase.generate,))
    @given(expressions(ops=["add", "sub", "mul", "div"], max_depth=0))
    def census(program: Program) -> None:
        constants.extend(a.value for s in program.steps for a in s.args
                         if isinstance(a, Const) and s.op in ("mul", "div"))

    census()
    trivial = sum(1 for c in constants if c in (0.0, 1.0, -1.0, 2.0))
    assert constants and trivial * 5 <= len(constants)  # mostly not 0, +-1 or 2
    assert max(abs(c) for c in constants) >= 1e9 and min(abs(c) for c in constants if c) <= 1e-8


def test_helpers_false_with_no_number_layouts_still_gives_programs() -> None:
    _, _, n = _census(expressions_in({"add": {"x o y"}, "mul": {"x o y"}}), 50)
    assert n == 50
