"""The soundness campaign: random programs over all of float64, judged on correct engines and planted bugs.

    PYTHONPATH=. python benchmarks/soundness_campaign.py [--programs 200000] [--jobs 2] [--seed 0]
    PYTHONPATH=. python benchmarks/soundness_campaign.py --scheduler tcp://HOST:8786   # on a Dask cluster

Every program runs on our engine and on the correct engines of the zoo
(tests/engines/zoo: closures, a tape, op codes, constants as leaves, NumPy
scalars, other rule forms such as 1/cosh**2, s(x)*s(-x), x * y**-1 and
exp(y*log x)). Any "fail" on them is a false alarm. Each program's exact
gradients are re-evaluated independently, by plain reverse mode in mpmath
at 1,000 digits (no balls), and a printed exact value that disagrees in a
certified digit is a wrong exact value. Then every op's rule in our engine is planted with a relative error
of 1e-12, and the campaign counts how often that is caught, and why not.
"""

from __future__ import annotations

import argparse
import collections
import functools
import importlib.util
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath  # type: ignore[import-untyped]
import sympy  # type: ignore[import-untyped]

from micrograd import OPS, MathError, Value
from verify import check_run
from verify.batch.cluster import ClusterError
from verify.batch.runner import Runner
from verify.judge.allowance import BASE_ULPS
from verify.judge.local import sweep
from verify.judge.verdict import MIN_NORMAL, certified, judge_runs, underflowing
from verify.oracle.exact import plan
from verify.oracle.ns import MPMATH, SYMPY
from verify.program import Const, Program, Step

ZOO = Path(__file__).resolve().parent.parent / "tests" / "engines" / "zoo"
CORRECT = ("base.py", "localgrads.py", "altrules.py", "tape.py", "opcodes.py", "constants.py",
           "numpy_scalars.py")
"""altrules takes the gradient first (g * k * x**(k - 1), g * s * (1 - s), a fused (2 * x) * g)."""
BANDS = ("below 1e-100", "1e-100 to 1e-8", "1e-8 to 1e8", "1e8 to 1e100", "above 1e100")
DIGITS = 1000


def load(file: str) -> type | None:
    spec = importlib.util.spec_from_file_location(f"zoo_{Path(file).stem}", ZOO / file)
    if spec is None or spec.loader is None:
        return None
    sys.path.insert(0, str(ZOO))
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except ImportError:  # NumPy missing: that engine sits out
        return None
    finally:
        sys.path.remove(str(ZOO))
    cls: type = module.Value
    return cls


# ---- programs over all of float64 ----

def _number(rng: random.Random, lo: int = -300, hi: int = 300) -> float:
    if rng.random() < 0.2:
        return rng.choice([0.5, 1.0, 2.0, -1.5, 3.0, 0.25, -0.75])
    if hi >= 300 and rng.random() < 0.1:  # an input: sometimes a hard argument for sin and cos
        return rng.choice((-1.0, 1.0)) * rng.choice(near_half_pi(rng.randint(1, 1023)))
    return rng.choice((-1.0, 1.0)) * rng.uniform(1.0, 10.0) * 10.0 ** rng.randint(lo, hi)


@functools.cache
def near_half_pi(e: int, keep: int = 4) -> tuple[float, ...]:
    """The doubles of [2**(e-1), 2**e) nearest a multiple of pi/2, where sin or cos is nearly 0 and a
    libm's argument reduction is least accurate: the denominators m of the continued fraction of
    2**(e-53) * 2/pi (and their small multiples and intermediate fractions) in [2**52, 2**53).

    The fraction is taken with e + 320 bits (its integer part has e - 53), the candidates ranked in
    integers on 256 fractional bits: the same choice as 2,400 bits throughout (checked for every e),
    in a fifth of the time, which every campaign process pays once per exponent."""
    with mpmath.workprec(max(256, e + 320)):
        beta = mpmath.ldexp(2 / mpmath.pi, e - 53)
        alpha = beta - mpmath.floor(beta)
        x, q_prev, q = alpha, 0, 1
        denominators: set[int] = set()
        for _ in range(80):
            a = int(mpmath.floor(x))
            if x == a:
                break
            x = 1 / (x - a)
            a = int(mpmath.floor(x))
            denominators.update(q_prev + j * q for j in range(1, min(a, 50) + 1))
            q_prev, q = q, a * q + q_prev
            if q > 2**54:
                break
        fixed = int(mpmath.floor(mpmath.ldexp(alpha, _FRACTION_BITS)))
    lo, hi = 2**52, 2**53
    one = 1 << _FRACTION_BITS
    ms = {t * d for d in denominators if d for t in range(max(1, -(-lo // d)), max(1, -(-lo // d)) + 3)}

    def distance(m: int) -> int:  # |m * alpha - nearest integer|, in units of 2**-256
        r = (m * fixed) % one
        return min(r, one - r)

    ranked = sorted((distance(m), m) for m in ms if lo <= m < hi)
    return tuple(math.ldexp(m, e - 53) for _, m in ranked[:keep])


_FRACTION_BITS = 256


def _number_here(rng: random.Random, args: list[int | Const]) -> bool:
    """Whether this operand of a binary op is a number: on the left (1 in 7), on the right (1 in 5)."""
    if not args:
        return rng.random() < 0.15
    return not isinstance(args[0], Const) and rng.random() < 0.2


def _exponent(rng: random.Random, op: str) -> float:
    if op == "powi":
        return float(rng.choice([-3, -2, -1, 2, 3, 4, 5, 7, 11, 50]))
    k = rng.choice([0.5, -0.5, 1.5, 2.5, -1.5, 0.3, 1 / 3, 0.1, -2.7, 7.5, 0.01, 40.3])
    return k


def program(rng: random.Random) -> Program | None:
    """Random inputs from 1e-300 to 1e300, then steps kept when our engine computes them finitely."""
    inputs = [(f"x{i}", _number(rng)) for i in range(rng.randint(1, 3))]
    slots = [Value(v) for _, v in inputs]
    steps: list[Step] = []
    ops = list(OPS)
    for _ in range(rng.randint(1, 7)):
        op = rng.choice(ops)
        row = OPS[op]
        args: list[int | Const] = []
        for i in range(row.arity):
            if i in row.constant:
                args.append(Const(_exponent(rng, op)))
            elif row.arity == 2 and op != "pow" and _number_here(rng, args):
                args.append(Const(_number(rng, -8, 8)))
            else:
                # Fresh slots first: most steps then feed the output.
                used = {a for s in steps for a in s.args if not isinstance(a, Const)}
                fresh = [s for s in range(len(slots)) if s not in used]
                pool = fresh if fresh and rng.random() < 0.7 else list(range(len(slots)))
                args.append(rng.choice(pool))
        if all(isinstance(a, Const) for a in args):
            continue
        try:
            out = _call(row, [a.value if isinstance(a, Const) else slots[a] for a in args])
        except (MathError, ZeroDivisionError, OverflowError, ValueError, TypeError):
            continue
        steps.append(Step(op, tuple(args)))
        slots.append(out)
    return Program(tuple(inputs), tuple(steps)) if steps else None


def _call(row: Any, operands: list[Any]) -> Any:
    from verify.program import call

    return call(row, *operands)


def band(program: Program, data: list[float]) -> str:
    exponents = [abs(math.log10(abs(v))) * (1 if abs(v) >= 1 else -1) for v in data if v and math.isfinite(v)]
    far = max(exponents, key=abs, default=0.0)
    if far <= -100:
        return BANDS[0]
    if far <= -8:
        return BANDS[1]
    if far < 8:
        return BANDS[2]
    if far < 100:
        return BANDS[3]
    return BANDS[4]


# ---- the independent re-evaluation ----

@functools.cache
def _partials(op: str, fixed: tuple[tuple[int, float], ...]) -> tuple[Callable[..., Any] | None, ...]:
    """The op's partials from SymPy, compiled for mpmath: plain reverse mode, no balls."""
    row = OPS[op]
    symbols = sympy.symbols(f"a0:{row.arity}", real=True)
    operands: list[Any] = list(symbols)
    for i, value in fixed:
        operands[i] = sympy.Rational(value)
    expr = row.math(SYMPY, *operands)
    out: list[Callable[..., Any] | None] = []
    for i, s in enumerate(symbols):
        if i in dict(fixed):
            out.append(None)
        else:
            d = sympy.diff(expr, s).replace(sympy.DiracDelta, lambda *a: sympy.Integer(0))
            out.append(sympy.lambdify(symbols, d, modules="mpmath"))
    return tuple(out)


def _astronomical(op: str, args: list[Any]) -> bool:
    """Whether mpmath would take far longer than the verifier's balls: an exponent beyond 1e5."""
    if op in ("exp", "sigmoid", "tanh"):
        return bool(abs(args[0]) > 1e5)
    if op in ("pow", "powc", "powi") and args[0]:
        return bool(abs(args[1] * mpmath.log(abs(args[0]))) > 1e5)
    return False


def reference(program: Program, digits: int) -> list[Any] | None:
    """The exact gradient of every input by reverse mode in mpmath at ``digits`` digits."""
    first = len(program.inputs)
    with mpmath.workdps(digits):
        values = [mpmath.mpf(v) for _, v in program.inputs]
        for step in program.steps:
            args = [mpmath.mpf(a.value) if isinstance(a, Const) else values[a] for a in step.args]
            if _astronomical(step.op, args):
                return None  # mpmath computes e to log2(x) extra bits first: hours for exp(1e300)
            values.append(OPS[step.op].math(MPMATH, *args))
        adjoint = [mpmath.mpf(0)] * len(values)
        adjoint[-1] = mpmath.mpf(1)
        for j in range(len(program.steps) - 1, -1, -1):
            step = program.steps[j]
            if not adjoint[first + j]:
                continue
            fixed = tuple((i, a.value) for i, a in enumerate(step.args) if isinstance(a, Const))
            xs = [mpmath.mpf(a.value) if isinstance(a, Const) else values[a] for a in step.args]
            for a, d in zip(step.args, _partials(step.op, fixed), strict=True):
                if d is None or isinstance(a, Const):
                    continue
                p = d(*xs)
                if not isinstance(p, mpmath.mpf) or not mpmath.isfinite(p):
                    return None
                adjoint[a] += adjoint[first + j] * p
    return adjoint[:first]


def wrong_exact(program: Program, printed: list[str]) -> tuple[int, int]:
    """Printed exact gradients that disagree in a certified digit with mpmath at 1,000 digits,
    and how many could be checked. The reference runs only when something is printed with digits;
    a disagreement counts when the reference agrees with itself at 1,100 digits (else it cancels
    away: not counted) and is confirmed at 4,000."""
    if not any(_has_digits(shown) for shown in printed):
        return 0, 0  # kinks' intervals and "unknown" only: nothing to compare
    try:
        truth = reference(program, DIGITS)
    except (ArithmeticError, ValueError, TypeError):
        return 0, 0
    if truth is None or len(printed) != len(truth):  # undefined: nothing printed
        return 0, 0
    again: list[Any] | None = None
    wrong = checked = 0
    with mpmath.workdps(DIGITS):
        for k, (shown, true) in enumerate(zip(printed, truth, strict=True)):
            if not _has_digits(shown):
                continue  # a kink's interval, or nothing claimed
            if shown.startswith("0 (|x| < "):
                bound = mpmath.mpf(shown[len("0 (|x| < "):-1])
                value, unit = mpmath.mpf(0), bound
                off = abs(true) > bound
            else:
                value = mpmath.mpf(shown)
                mantissa = shown.split("e")[0].lstrip("-")
                digits = len(mantissa.replace(".", "").lstrip("0")) or 1
                unit = abs(value) * mpmath.mpf(10) ** (1 - digits) if value else mpmath.mpf(0)
                off = abs(true - value) > unit
            if off:  # is the reference itself right here? it must agree with itself at 1,100 digits
                if again is None:
                    try:
                        again = reference(program, DIGITS + 100)
                    except (ArithmeticError, ValueError, TypeError):
                        again = None
                    if again is None:
                        return wrong, checked
                if abs(true - again[k]) > abs(true) * mpmath.mpf(10) ** -200:
                    continue  # the reference cancels away at 1,000 digits
            checked += 1
            if not off:
                continue
            confirmed = True if shown.startswith("0 (|x| < ") else _still_wrong(program, k, value, unit)
            if confirmed is None:
                checked -= 1  # the reference could not settle it: neither right nor wrong
                if len(UNSETTLED) < 3:
                    UNSETTLED.append(f"{program.source()}".replace("\n", "; ") + f" -- printed {shown}")
            elif confirmed:
                wrong += 1
                if len(WRONG) < 3:
                    WRONG.append(f"{program.source()}".replace("\n", "; ")
                                 + f" -- printed {shown}, mpmath {mpmath.nstr(true, 40)}")
    return wrong, checked


def _has_digits(shown: str) -> bool:
    return not (shown.startswith("[") or shown == "unknown")


def _still_wrong(program: Program, k: int, value: Any, unit: Any) -> bool | None:
    """A disagreement confirmed at 4x the digits (1,000 digits cancel log(cos(x*x)) to 0 at x = 1e-282);
    None when the reference cannot be computed there (an astronomical exponent)."""
    try:
        truth = reference(program, 4 * DIGITS)
    except (ArithmeticError, ValueError, TypeError):
        return None
    if truth is None:
        return None
    with mpmath.workdps(4 * DIGITS):
        return bool(abs(truth[k] - value) > unit)


UNSETTLED: list[str] = []
"""Disagreements the reference could not settle at 4x the digits: left out of the count, shown."""
WRONG: list[str] = []
"""The first few printed exact values that disagree with the reference."""


# ---- one worker's share ----

NONREAL: list[str] = []
"""Programs on which an engine gave a value that is not a real number (Python's ** gives a complex
for a negative base): counted with the raises, the first few shown."""


def _run(engine: type, program: Program) -> tuple[list[Any], list[Any]] | None:
    try:
        slots = program.run(engine, catch=())
    except Exception:  # a correct engine may raise outside float64's reach (1/cosh(x)**2 at x = 800)
        return None
    try:
        return [float(s.data) for s in slots], [float(s.grad) for s in slots]
    except TypeError:
        if len(NONREAL) < 3:
            NONREAL.append(f"{engine.__module__}: {program.source()}".replace("\n", "; "))
        return None


# ---- why a visible planted error passed ----

WHY_PARTIAL = {
    "sin": "the libm model: sin's argument reduction near a zero of its derivative",
    "cos": "the libm model: cos's argument reduction near a zero of its derivative",
    "tanh": "the accepted 1 - tanh(x)**2 near saturation (t rounded, then cancelled)",
    "sigmoid": "the accepted s * (1 - s) near saturation (s rounded, then cancelled)",
}
"""Why an op's allowed partial may be wider than a few ulps, as the judge derives it."""
WIDE_ULPS = 4 * BASE_ULPS
"""A partial allowed wider than this (in its own ulps) is a derived allowance beyond rounding."""


def _ulps(x: float, of: float) -> float:
    return abs(x) / math.ulp(of) if of else abs(x) / 5e-324


def why_passed(program: Program, good: list[float], bad: tuple[list[Any], list[Any]]) -> tuple[str, str]:
    """Why the judge passes an engine whose planted error moved its gradients (``good`` -> ``bad``'s),
    read off the judge's own allowance: at each slot the error moved, from the output down, whether the
    slot is excused or unchecked, or how many ulps the planted error is there against the allowed
    interval's half-width, and which allowance made it that wide. Returns (reason, detail)."""
    data, grad = bad
    nodes = plan(program)
    ex, _ = certified(program, nodes, list(range(len(program.inputs))))
    finite_data = [d if math.isfinite(d) else None for d in data]
    finite_grad = [g if math.isfinite(g) else None for g in grad]
    found = sweep(program, nodes, finite_data, finite_grad, ex.values)
    lost = underflowing(program, finite_data, finite_grad, found)
    names = program.names()
    first = len(program.inputs)
    outside = ""
    for s in range(program.size - 1, -1, -1):
        g0, g1 = good[s], grad[s]
        if g0 == g1 or not (math.isfinite(g0) and math.isfinite(g1)):
            continue
        at = f"{names[s]}: planted {_ulps(g1 - g0, g0):.3g} ulps"
        if s in lost:
            return ("excused: a rule in steps takes this adjoint through a product below UNDERFLOW", at)
        expected = found.expected(s)
        if expected is None:
            return ("unchecked: a consumer's adjoint is unknown", at)
        if g1 not in expected:
            outside = outside or at  # a mismatch the judge blames: a fail, unless excused below
            continue
        allowed = _ulps((expected.hi - expected.lo) / 2, g0)
        at += f" within the allowed +-{allowed:.3g} ulps"
        if abs(g0) < MIN_NORMAL:
            return ("a subnormal gradient: the planted error is below the spacing 2**-1074", at)
        widest, op, partial_ulps = -1.0, "", 0.0
        for c, i in found.uses[s]:
            here = found.allowed.get(c)
            p = here.partials[i] if here is not None else None
            gc = grad[c]
            if p is None or gc is None or not math.isfinite(gc) or not p.finite:
                continue
            width = abs(gc) * (p.hi - p.lo)
            if width > widest:
                mid = p.lo / 2 + p.hi / 2
                widest, op = width, program.steps[c - first].op
                partial_ulps = _ulps((p.hi - p.lo) / 2, mid)
        if partial_ulps > WIDE_ULPS:
            reason = WHY_PARTIAL.get(op, f"{op}'s accepted forms")
            return (f"{op}'s partial allowed +-{_bucket(partial_ulps)} ulps: {reason}",
                    at + f" ({op}'s partial +-{partial_ulps:.3g} ulps)")
        return ("a small share of a sum: the planted term moves it less than the other terms' rounding "
                f"(partials +-{BASE_ULPS:g} ulps)", at + f" ({op}'s partial +-{partial_ulps:.3g} ulps)")
    if outside:
        return ("outside the allowance: the judge blames it", outside)
    return ("the error moved no finite gradient", "")


def _bucket(ulps: float) -> str:
    """1e3, 1e4, ...: the power of ten at or below ``ulps``, for grouping."""
    return f"1e{int(math.log10(ulps))}+" if ulps >= 10 else f"{ulps:.0f}"


def _planted(op: str) -> Callable[..., Any]:
    rule = OPS[op].grad

    def wrong(*args: Any) -> Any:
        g = rule(*args)
        return tuple(x * (1 + 1e-12) for x in g) if isinstance(g, tuple) else g * (1 + 1e-12)

    return wrong


def work(job: tuple[int, int, int]) -> dict[str, Any]:
    seed, count, plants = job
    rng = random.Random(seed)
    engines: dict[str, type] = {"micrograd (ours)": Value}
    for file in CORRECT:
        cls = load(file)
        if cls is not None:
            engines[file.removesuffix(".py")] = cls
    table: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    wrong = checked = 0
    done = 0
    false_alarms: list[str] = []
    started = time.monotonic()
    while done < count:
        p = program(rng)
        if p is None:
            continue
        ours = _run(Value, p)
        if ours is None:
            continue
        done += 1
        where = band(p, ours[0])
        printed: list[str] = []
        judge = judge_runs(p)  # the exact witness made once, for all engines' runs of the program
        for name, engine in engines.items():
            numbers = ours if engine is Value else _run(engine, p)
            if numbers is None:
                table[(name, where)]["engine raised"] += 1
                continue
            try:
                report = judge(*numbers)
            except Exception as error:  # a bug of the verifier: counted and shown, the campaign goes on
                table[(name, where)]["verifier error"] += 1
                if len(false_alarms) < 5:
                    false_alarms.append(f"VERIFIER ERROR {type(error).__name__}: {error} on {name}: "
                                        f"{p.source()}".replace("\n", "; "))
                continue
            table[(name, where)][report.verdict] += 1
            if report.verdict == "fail" and len(false_alarms) < 5:
                false_alarms.append(f"{name}: {p.source()}".replace("\n", "; "))
            if engine is Value:
                printed = [r.exact for r in report.inputs]
        w, c = wrong_exact(p, printed)
        wrong += w
        checked += c
    seconds = time.monotonic() - started
    planted: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    reasons: collections.Counter[str] = collections.Counter()
    passed: list[str] = []
    for op in OPS:
        row = OPS[op]
        right = row.grad
        tried = 0
        while tried < plants:
            p = program(rng)
            if p is None:
                continue
            first = len(p.inputs)
            if not any(p.steps[s - first].op == op for s in p.feeding_output() if s >= first):
                continue
            good = _run(Value, p)
            object.__setattr__(row, "grad", _planted(op))
            try:
                bad = _run(Value, p)
            finally:
                object.__setattr__(row, "grad", right)
            if good is None or bad is None:
                continue
            tried += 1
            if bad[1] == good[1]:
                planted[op]["invisible (same floats)"] += 1
                continue
            report = check_run(p, *bad)
            planted[op][report.verdict] += 1
            if report.verdict == "pass":
                why, detail = why_passed(p, good[1], bad)
                reasons[f"pass: {why}"] += 1
                if len(passed) < 10:
                    passed.append(f"{op} planted; {detail}; {p.source()}".replace("\n", "; "))
            elif report.verdict != "fail":
                why = next((r.note for r in report.inputs if r.verdict != "pass" and r.note), "")
                reasons[why.split(":")[0] or report.verdict] += 1
    return {"table": table, "wrong": wrong, "checked": checked, "programs": done, "seconds": seconds,
            "false": false_alarms,
            "nonreal": list(NONREAL),
            "wrong_examples": list(WRONG),
            "unsettled": list(UNSETTLED),
            "planted": planted, "reasons": reasons, "passed": passed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=200_000)
    parser.add_argument("--jobs", "--workers", type=int, default=2, dest="jobs",
                        help="chunks run side by side on this machine (default 2)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the chunks on the Dask cluster of this scheduler instead (tcp://host:8786);"
                             " its workers need the verifier and this folder at the same path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plants", type=int, default=300, help="programs per op with a planted 1e-12 error")
    args = parser.parse_args()
    chunk = 1000
    jobs = [(args.seed * 1_000_003 + i, min(chunk, args.programs - i * chunk), 0)
            for i in range(math.ceil(args.programs / chunk))]
    try:
        runner = Runner(jobs=args.jobs, scheduler=args.scheduler, processes=True)
    except (ClusterError, ValueError) as error:
        sys.exit(f"soundness_campaign.py: {error}")
    workers = runner.slots
    per_worker = max(1, args.plants // workers)
    jobs += [(args.seed * 7_919 + 10**9 + w, 0, per_worker) for w in range(workers)]
    table: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    planted: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    reasons: collections.Counter[str] = collections.Counter()
    passed: list[str] = []
    wrong = checked = programs = 0
    seconds = 0.0
    false_alarms: list[str] = []
    nonreal: list[str] = []
    wrong_examples: list[str] = []
    unsettled: list[str] = []
    started = time.monotonic()
    with runner:
        for _, part in runner.map(work, jobs):
            for key, counts in part["table"].items():
                table[key].update(counts)
            for op, counts in part["planted"].items():
                planted[op].update(counts)
            reasons.update(part["reasons"])
            passed += part["passed"]
            wrong += part["wrong"]
            checked += part["checked"]
            programs += part["programs"]
            seconds += part["seconds"]
            false_alarms += part["false"]
            nonreal += part["nonreal"]
            wrong_examples += part["wrong_examples"]
            unsettled += part["unsettled"]
    wall = time.monotonic() - started
    engines = sorted({name for name, _ in table}, key=lambda n: (not n.startswith("micrograd"), n))
    print(f"{programs:,} programs, each on {len(engines)} correct engines ({wall:.0f} s wall, "
          f"{programs / max(seconds, 1e-9) * workers:.0f} programs/s, {runner.where()})\n")
    print(f"{'engine':<18} {'band':<16} {'pass':>8} {'inconcl.':>9} {'undef.':>7} {'FAIL':>6} "
          f"{'raised':>7}")
    for name in engines:
        for where in BANDS:
            c = table.get((name, where))
            if not c:
                continue
            print(f"{name:<18} {where:<16} {c['pass']:>8} {c['inconclusive']:>9} {c['undefined']:>7} "
                  f"{c['fail']:>6} {c['engine raised']:>7}")
    fails = sum(c["fail"] for c in table.values())
    errors = sum(c["verifier error"] for c in table.values())
    print(f"\nfalse alarms (fail on a correct engine): {fails}; verifier errors: {errors}")
    for line in false_alarms:
        print(f"  {line}")
    if nonreal:
        print("non-real values (counted as raised):")
        for line in nonreal[:5]:
            print(f"  {line}")
    print(f"wrong exact values (a certified digit disagreeing with mpmath at {DIGITS} digits): {wrong} "
          f"of {checked:,} checked")
    for line in wrong_examples[:5]:
        print(f"  {line}")
    if unsettled:
        print("disagreements the reference could not settle at 4x the digits (not counted):")
        for line in unsettled[:5]:
            print(f"  {line}")
    print()
    print("a 1e-12 relative error planted in one rule of our engine:")
    print(f"{'op':<9} {'caught':>7} {'inconcl.':>9} {'missed':>7} {'same floats':>12}")
    for op in OPS:
        c = planted[op]
        same = c["invisible (same floats)"]
        print(f"{op:<9} {c['fail']:>7} {c['inconclusive']:>9} {c['pass']:>7} {same:>12}")
    print("\nwhy a visible planted error was not a fail:")
    for why, n in reasons.most_common():
        print(f"  {n:>6}  {why}")
    if passed:
        print("planted errors that passed, each with the judge's allowance where it moved a gradient:")
        for line in passed[:20]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
