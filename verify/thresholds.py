"""The register: every threshold, excuse and bound the judge, the oracle, the audit and the tensor
audit decide with.

Each entry names a constant where it lives (its value is read from there, on demand, so importing
this register loads neither SymPy nor python-flint), says in a sentence where its value comes from,
and names the tests that fail when it is made 10x looser (a planted error just outside slips
through) and 10x tighter (a correct alternative just inside is refused). An entry without such a
pair says why (``untested``): a working precision or a fact of float64 cannot be "loosened", a time
limit only trades speed, and the rest are gaps still to close.

``tests/test_thresholds.py`` fails when a threshold-like constant of the judge, the oracle, the
audit's decision code or the tensor audit is missing here, or when a test named here does not exist;
``tests/replay_plants.py`` moves the guarded ones and shows their tests turn red.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

KINDS = ("tolerance", "excuse", "bound", "limit", "precision", "fact")
"""tolerance: how far a correct number may be off; excuse: where a fault is not blamed; bound: where a
verdict changes or a value is shown; limit: time and size; precision: working bits (the balls are
certified at any precision, so these change speed, not verdicts); fact: a property of float64."""

GUARDED = ("tolerance", "excuse", "bound")
"""Kinds that need a 10x-looser and a 10x-tighter test, or a stated gap."""

_TOL = "tests/test_tolerances.py::test_loosened_10x_the_planted_error_slips_through[{}]"
_TIGHT = "tests/test_tolerances.py::test_tightened_10x_the_correct_alternative_is_refused[{}]"
_TT = "tests/test_tensor_thresholds.py::"
_TT_LOOSE = _TT + "test_loosened_10x_the_planted_error_slips_through[{}]"
_TT_TIGHT = _TT + "test_tightened_10x_the_correct_formula_is_refused[{}]"
_G = "tests/test_guards.py::"
_A = "tests/test_guards_audit.py::"


@dataclass(frozen=True)
class Threshold:
    name: str
    """Where it lives: ``module.NAME``."""
    kind: str
    why: str
    """Where its value comes from, in a sentence."""
    looser: tuple[str, ...] = ()
    """Tests (``path::name[id]``) that fail when it is made 10x looser."""
    tighter: tuple[str, ...] = ()
    """Tests that fail when it is made 10x tighter."""
    untested: str = ""
    """Why a pair is missing, when one is."""

    @property
    def module(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def value(self) -> Any:
        """The value where it lives (imports that module)."""
        return getattr(importlib.import_module(self.module), self.attribute)


def _guarded(name: str, kind: str, why: str, guard: str) -> Threshold:
    """An entry whose pair of tests is ``guard``'s row of tests/test_tolerances.py."""
    return Threshold(name, kind, why, looser=(_TOL.format(guard),), tighter=(_TIGHT.format(guard),))


def _tensor(name: str, why: str, untested: str = "") -> Threshold:
    """A tensor tolerance moved 10x where it lives by tests/test_tensor_thresholds.py (its row is the
    constant's own name); with ``untested``, only the looser test exists and that says why."""
    attribute = name.rpartition(".")[2]
    return Threshold(name, "tolerance", why, looser=(_TT_LOOSE.format(attribute),),
                     tighter=() if untested else (_TT_TIGHT.format(attribute),), untested=untested)


_WHOLE = "the whole float32 allowance tightened 10x refuses {} (tests/test_tensor_float32_tight.py{})"

_PRECISION = "a working precision: every ball is certified at any precision, so it changes speed only"
_LIMIT = "a time or size limit: moving it trades speed or coverage, no verdict rests on its value"
_FACT = "a property of float64 (or an exact constant), not a choice"
_SHOWN = "decides only how a number or a message is shown"

REGISTER: tuple[Threshold, ...] = (
    # ---- the allowance: what a correct float64 engine may compute ----
    _guarded("verify.judge.allowance.BASE_ULPS", "tolerance",
              "a correctly rounded op is within 1/2 ulp, a partial through a math library within a few; "
              "4 bounds both",
              "BASE_ULPS on a value"),
    _guarded("verify.judge.floats.LIBM_ULPS", "tolerance",
              "common math libraries publish errors of a few ulps for exp, log, tanh, pow, sin, cos; "
              "4 bounds them",
              "LIBM_ULPS in an accepted formula"),
    _guarded("verify.judge.floats.SATURATED", "tolerance",
              "a true value within 2**-100 ulp of a float is returned exactly: no library carries "
              "100 extra bits",
              "a library's saturated results"),
    Threshold("verify.judge.floats.UNDERFLOWED", "tolerance",
              "a true value below 2**-20 of the smallest subnormal rounds to 0.0 in every library",
              looser=(_G + "test_a_true_value_just_below_underflowed_is_zero_and_just_above_it_is_not",),
              tighter=(_G + "test_a_true_value_just_below_underflowed_is_zero_and_just_above_it_is_not",)),
    Threshold("verify.judge.floats.NARROW", "tolerance",
              "a ball within 2**-8 ulp of its nearest float decides which floats lie within k ulps of it",
              untested="gap: no test yet moves it 10x"),
    _guarded("verify.judge.blame.CLOSE", "tolerance",
              "a wrong sum within 1e-9 of one specific contribution is that contribution "
              "(it names a bug, never decides one)",
              "closeness that names a lost contribution"),
    # ---- the verdict ----
    _guarded("verify.judge.verdict.WIDE", "bound",
              "the best engine must land within half the exact gradient, or a sign flip is not excluded",
              "how far forward rounding may move a decidable gradient"),
    _guarded("verify.judge.verdict.UNDERFLOW", "excuse",
              "a hidden product below MIN_NORMAL/4 rounded to 2**-1074 has lost more than 4 ulps",
              "a hidden step of x * y**-1 gone subnormal"),
    _guarded("verify.judge.verdict.RULE_ROUNDING", "excuse",
              "y**-2 rounded to the subnormal spacing is off by half of 2**-1074; doubled for the products",
              "div's hidden power rule gone subnormal, taken first"),
    Threshold("verify.judge.verdict.OVERFLOW", "excuse",
              "a hidden product above MAX/16 may overflow once a rule in steps multiplies in "
              "its other factors",
              looser=(_G + "test_an_inf_gradient_just_inside_the_overflow_excuse_fails",
                      _G + "test_an_inf_gradient_of_x_times_2_at_1e305_fails"),
              untested="gap (tighter): no correct engine yet overflows between MAX/16 and MAX/1.6"),
    Threshold("verify.judge.verdict.SUBNORMAL_SPREAD", "bound",
              "correct results spread past the smallest normal float cannot resolve a subnormal gradient",
              looser=(_G + "test_a_subnormal_gradient_spread_past_min_normal_is_never_decided",),
              tighter=(_G + "test_a_subnormal_gradient_a_correct_rule_moves_within_its_spread_passes",)),
    _guarded("verify.judge.verdict.SIGN_RESOLVED", "bound",
              "below 4 subnormal spacings a few libm ulps are the whole value: its sign is rounding's",
              "the sign of a subnormal gradient, decided only above a few spacings"),
    Threshold("verify.judge.verdict.ILL_CONDITIONED", "bound",
              "an output 1e-8 off with every op right is far beyond rounding: worth a note, never a verdict",
              untested="gap: decides a note only; no test yet moves it 10x"),
    Threshold("verify.judge.verdict.CERTIFIED_BITS", "bound",
              "34 printed digits need 113 bits (quad precision): a value is certified at that width",
              untested=_PRECISION),
    Threshold("verify.judge.verdict.FLOOR", "bound",
              "2**-1200 is below every float's spacing (2**-1074): a ball that narrow is tight at any size",
              untested=_PRECISION),
    Threshold("verify.judge.verdict.DIGITS", "bound", "34 significant digits: quad precision, as printed",
              untested=_SHOWN),
    Threshold("verify.judge.verdict.MAX_FAULTS", "limit", "at most 50 faults listed per report",
              untested=_LIMIT),
    Threshold("verify.judge.verdict.ESCALATION_SECONDS", "limit",
              "raising the precision stops after 10 s: then the check says what it could not decide",
              untested=_LIMIT),
    Threshold("verify.judge.verdict.PRECISIONS", "precision", "128 to 16,384 bits, doubling",
              untested=_PRECISION),
    Threshold("verify.judge.verdict.MIN_NORMAL", "fact", "2**-1022, the smallest normal float64",
              untested=_FACT),
    Threshold("verify.judge.allowance._PRECISIONS", "precision",
              "96 to 16,384 bits for the allowance's balls",
              untested=_PRECISION),
    Threshold("verify.judge.allowance._TIGHT_BITS", "precision",
              "70 bits: 17 beyond a float's 53, enough to round to the nearest float", untested=_PRECISION),
    Threshold("verify.judge.allowance._FLOOR", "precision",
              "2**-1100 is below every subnormal's spacing: tight enough for any float", untested=_PRECISION),
    Threshold("verify.judge.allowance.SUBNORMAL_SCALE", "fact",
              "2**-1074 is the smallest subnormal: a partial below it is carried scaled by 2**1074",
              untested=_FACT),
    Threshold("verify.judge.allowance._SMALLEST", "fact", "2**-1074, the smallest subnormal", untested=_FACT),
    _guarded("verify.judge.floats.REDUCTION_SLOPE", "tolerance",
              "glibc's reduction modulo pi/2 was measured at most |x| * 2**-144.1 below 2**50; 4x that",
              "sin and cos's argument reduction, growing with x"),
    _guarded("verify.judge.floats.REDUCTION_CAP", "tolerance",
              "glibc's reduction against a table of 2/pi was measured at most 2**-92.4 beyond; 4x that",
              "sin and cos's argument reduction, at most"),
    _guarded("verify.judge.fragility.LOST_DIGITS", "bound",
              "half of float64's 16 digits: fewer lost is what rounding in a long formula does, more is a "
              "formula that cancels (1 - t*t near |t| = 1)",
              "digits a textbook rule loses before a pass is fragile"),
    _guarded("verify.judge.allowance.AMPLIFIED", "tolerance",
              "ulps per unit of |ln p|: L = (k - 1) * log x is rounded to LIBM_ULPS + 1 ulps, and exp(L) "
              "turns that into |L| times as many ulps of a partial p below the subnormals",
              "a grad-first power through exp, its partial below the subnormals"),
    _guarded("verify.judge.local.REROUNDED", "tolerance",
              "a subnormal product taken in another order is one more rounding to 2**-1074 away",
              "another order of a subnormal product"),
    Threshold("verify.judge.local._MAX", "fact", "the largest float64", untested=_FACT),
    Threshold("verify.judge.local._NORMAL", "fact", "2**-1022, the smallest normal float64", untested=_FACT),
    Threshold("verify.judge.cost.WARN_NODES", "limit",
              "a graph of 250,000 nodes takes seconds and hundreds of MB to check: beyond it a warning",
              untested=_LIMIT),
    Threshold("verify.judge.cost.SECONDS_PER_NODE", "bound",
              "measured: 65,414 nodes in about 2.4 s; the estimate a warning prints", untested=_SHOWN),
    Threshold("verify.judge.cost.BYTES_PER_NODE", "bound",
              "measured peak memory of a check: 0.76 to 0.87 KB a node; the estimate a warning prints",
              looser=("tests/test_verify_size.py::test_the_documented_memory_per_node_holds_both_ways",),
              tighter=("tests/test_verify_size.py::test_the_documented_memory_per_node_holds_both_ways",)),
    Threshold("verify.judge.allowance.SHARED_MAX", "limit",
              "shared constant partials kept across checks: memory only, no verdict rests on it",
              untested=_LIMIT),
    Threshold("verify.judge.floats._BITS", "precision", "192 bits for a library function on a float",
              untested=_PRECISION),
    Threshold("verify.judge.floats._INF", "fact", "float64's infinity", untested=_FACT),
    Threshold("verify.judge.floats._SMALLEST", "fact", "2**-1074, the smallest subnormal", untested=_FACT),
    Threshold("verify.judge.local.U", "fact", "2**-53, float64's unit roundoff", untested=_FACT),
    Threshold("verify.judge.blame.POINT_LIKE", "bound", "17 digits cannot tell apart ends 1e-12 apart",
              untested=_SHOWN),
    # ---- the oracles ----
    Threshold("verify.oracle.ball.ZERO_BOUND_RAISE", "bound",
              "a 2-digit rounding moves a number by at most 5%: raised 10% first, the printed bound holds",
              looser=(_G + "test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it",),
              tighter=(_G + "test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it",)),
    _guarded("verify.oracle.ball.SPAN_SLACK", "tolerance",
              "Arb keeps a radius to 30 bits and rounds it up at each operation: 2**-18 of a kink ball's "
              "width covers that rounding, never the set of derivatives",
              "the rounding of a kink ball's radius in the exact column"),
    Threshold("verify.oracle.ball.MAX_FLOAT", "fact", "the largest float64", untested=_FACT),
    Threshold("verify.oracle.ball.ZERO", "fact", "the exact ball 0", untested=_FACT),
    Threshold("verify.oracle.ball.ONE", "fact", "the exact ball 1", untested=_FACT),
    Threshold("verify.oracle.ball.UNIT", "fact", "the ball [0, 1]", untested=_FACT),
    Threshold("verify.oracle.ball.SIGNS", "fact", "the ball [-1, 1]", untested=_FACT),
    Threshold("verify.oracle.ball._PRINT_BITS", "precision", "512 bits to print 34 digits",
              untested=_PRECISION),
    Threshold("verify.oracle.calculus._RETRY_BITS", "precision",
              "exp(1e300) needs 1,000 bits to reduce its argument", untested=_PRECISION),
    _guarded("verify.oracle.fd.RICHARDSON", "tolerance",
              "the change between steps h and 2h is 3x the truncation error; 2x that allows 6x",
              "finite difference against the exact gradient"),
    Threshold("verify.oracle.fd.STEP_BITS", "bound",
              "a step of 2**-32 gives truncation ~2**-64, far above the exact ball's 2**-113",
              untested="gap: no test yet moves it 10x"),
    Threshold("verify.oracle.fd.DIRECTION_STEP_BITS", "bound",
              "along a random direction the step 2**-60 puts truncation inside the exact ball's radius",
              untested="gap: no test yet moves it 10x"),
    Threshold("verify.oracle.fd.RESOLVE_BITS", "bound",
              "a difference counts once tight to 48 bits of its terms' size",
              untested="gap: no test yet moves it 10x"),
    Threshold("verify.oracle.fd.CONVERGED_BITS", "bound",
              "two extrapolated differences agreeing to 20 bits have settled",
              untested="gap: no test yet moves it 10x"),
    Threshold("verify.oracle.fd.PER_INPUT", "limit", "up to 8 inputs get a difference each", untested=_LIMIT),
    Threshold("verify.oracle.fd.DIRECTIONS", "limit", "2 random directions beyond 8 inputs", untested=_LIMIT),
    Threshold("verify.oracle.fd.SHRINKS", "limit", "8 smaller steps before a difference is skipped",
              untested=_LIMIT),
    Threshold("verify.oracle.fd.MAX_BITS", "precision", "at most 20,000 bits for a difference",
              untested=_PRECISION),
    Threshold("verify.oracle.fd._COMBINE_BITS", "precision", "20,000 bits to combine differences",
              untested=_PRECISION),
    Threshold("verify.oracle.formula.MAX_TREE", "limit", "formulas of up to 200 nodes are printed",
              untested=_LIMIT),
    Threshold("verify.oracle.formula.MAX_DEPTH", "limit", "SymPy recurses: 24 levels at most",
              untested=_LIMIT),
    Threshold("verify.oracle.formula.SECONDS", "limit", "1 s of SymPy for a program's formulas",
              untested=_LIMIT),
    Threshold("verify.oracle.formula.SHORT", "bound", "fractions below 2**20 print as fractions",
              untested=_SHOWN),
    # ---- the audit ----
    Threshold("verify.audit.raises.SQUARE_SAFE", "excuse",
              "2**-511..2**511: products of two such operands stay normal floats, so a raise there is a bug",
              looser=(_A + "test_an_abs_derivative_that_crashes_at_1e_minus_120_is_a_finding",),
              untested="gap (10x either way): no battery point lies within 10x of 2**+-511; "
                       "the looser test kills the issue's 2**+-51"),
    Threshold("verify.audit.substitute.WHOLE_RATIO", "bound",
              "a gradient within 1e-9 of n times the right one was passed on n times (names, never decides)",
              untested="gap: decides a message only; no test yet moves it 10x"),
    Threshold("verify.audit.trial.SHALLOW", "excuse",
              "a graph under 100 steps never excuses a RecursionError",
              untested="gap: no test yet moves it 10x"),
    Threshold("verify.audit.trial.VERIFY_TIMEOUT", "limit", "30 s of verifier per program",
              untested=_LIMIT),
    Threshold("verify.audit.isolate.ISOLATION_RUNS", "limit", "an isolated step runs up to 3 times",
              untested=_LIMIT),
    Threshold("verify.audit.reproduce.REPRODUCE_RUNS", "limit", "a finding is re-run up to 10 times",
              untested=_LIMIT),
    Threshold("verify.audit.isolate.SHRINK_SECONDS", "limit", "8 s to shrink one finding", untested=_LIMIT),
    Threshold("verify.audit.trial.HANG_PROBE", "limit", "a single op never takes 2 s", untested=_LIMIT),
    Threshold("verify.audit.ledger.MAX_FINDINGS", "limit", "10 distinct bugs, then the audit stops",
              untested=_LIMIT),
    Threshold("verify.audit.phases.DEPTHS", "limit", "chains of 1e3, 1e4 and 1e5 steps", untested=_LIMIT),
    Threshold("verify.audit.phases.BISECTIONS", "limit", "14 halvings find a failing depth to 1e5 / 2**14",
              untested=_LIMIT),
    Threshold("verify.audit.random_phase.MAX_GRAPH_EXPLANATIONS", "limit",
              "3 graph failures shrunk and explained",
              untested=_LIMIT),
    Threshold("verify.audit.campaign.REPRODUCE_MAX_STEPS", "limit",
              "minimal programs over 50 steps are not re-run in fresh interpreters", untested=_LIMIT),
    Threshold("verify.audit.survey.PROBE_TIMEOUT", "limit", "1 s for one op's forward at the probe point",
              untested=_LIMIT),
    Threshold("verify.audit.DEFAULT_EXAMPLES", "limit", "300 random programs by default", untested=_LIMIT),
    Threshold("verify.audit.DEFAULT_TIMEOUT", "limit", "10 s per program before the engine counts as hung",
              untested=_LIMIT),
    Threshold("verify.audit.DEFAULT_DEADLINE", "limit", "300 s for a whole audit", untested=_LIMIT),
    Threshold("verify.audit.reproduce.RUNS", "limit", "a snippet is run in 5 fresh interpreters",
              untested=_LIMIT),
    Threshold("verify.audit.reproduce.TIMEOUT", "limit", "20 s for each fresh interpreter's run of a snippet",
              untested=_LIMIT),
    Threshold("verify.audit.battery.CORE", "limit",
              "the first 4 points of each op and layout make the battery's first round; the rest run later",
              untested=_LIMIT),
    Threshold("verify.audit.battery.PER_LAYOUT", "limit", "at most 20 battery points per op and layout",
              untested=_LIMIT),
    Threshold("verify.audit.battery.ZERO_PARTNERS", "limit",
              "an exact zero meets 2 of the other operand's usual points (-0.0 meets 1)", untested=_LIMIT),
    Threshold("verify.audit.battery.PER_UNARY", "limit",
              "at most 30 battery points for a unary op: both tails matter (1e3 to 1e300)", untested=_LIMIT),
    Threshold("verify.audit.findings.CHAIN_SHOWN", "bound",
              "a program of one step repeated more than 20 times is printed as a loop", untested=_SHOWN),
    Threshold("verify.audit.engine.DEFAULT_MEMORY", "limit", "2 GiB of address space for the worker",
              untested=_LIMIT),
    Threshold("verify.audit.engine.sandbox.START_TIMEOUT", "limit",
              "60 s for the worker to start and load the engine (a notebook runs all its cells)",
              untested=_LIMIT),
    Threshold("verify.audit.engine.sandbox._SLICE", "limit",
              "the worker is checked for life every 0.05 s while an answer is awaited", untested=_LIMIT),
    Threshold("verify.audit.engine.worker.RECURSION_LIMIT", "limit",
              "1000, Python's default: the depth the engine's own users get", untested=_LIMIT),
    # ---- the tensor check: reductions, float32 engines, softmax rows, the worker ----
    Threshold("verify.tensor.allowance.U", "fact",
              "2**-53, float64's unit roundoff: a sum of n terms in any order is within gamma(k) = "
              "k u / (1 - k u) times the sum of magnitudes (Higham 3.1), guarded both ways by "
              "tests/test_tensor_allowance.py",
              untested=_FACT),
    Threshold("verify.tensor.narrow.U32", "fact", "2**-24, float32's unit roundoff", untested=_FACT),
    _tensor("verify.tensor.narrow.L",
            "a float32 math-library call within LIBM_ULPS = 4 ulps, an ulp at most 2u of its result: "
            "8 roundings"),
    _tensor("verify.tensor.narrow.DIV_VALUE", "a / b as a * (1/b): two roundings"),
    _tensor("verify.tensor.narrow.SIGMOID_VALUE", "1 / (1 + e**-x): the exp's L, an addition and a division"),
    _tensor("verify.tensor.narrow.TANH_VALUE",
            "np.tanh's L, or the textbook quotient's exp and three more roundings, of 1 + |t|"),
    _tensor("verify.tensor.narrow.DIV_PARTIAL",
            "-a / b**2 as -out * (1/b) from the rounded quotient: its two roundings and two more"),
    _tensor("verify.tensor.narrow.POWI_PARTIAL",
            "k * x**(k-1) as k * out / x: the power's L, a product and a division"),
    _tensor("verify.tensor.narrow.TANH_PARTIAL",
            "1 - t*t with t carrying TANH_VALUE's error, doubled by the square, and two more, "
            "of (1 + |t|)**2"),
    _tensor("verify.tensor.narrow.SIGMOID_PARTIAL",
            "s (1 - s) with s carrying SIGMOID_VALUE's error twice (s and 1 - s, or s(x) s(-x)), and two "
            "more, of s (1 + s)"),
    _tensor("verify.tensor.softmax._EXTRA",
            "a row's roundings beyond its sum's n - 1: the shift, exp and log (8u each, 4 ulps), the last "
            "subtractions; first-order, rounded up",
            "gap (tighter): correct rows' error is mostly the rounding of numbers as large as the row, the "
            "term it does not scale; " + _WHOLE.format("them", "") + " and tests/test_tensor_softmax.py"),
    _tensor("verify.tensor.softmax._BACKWARD_EXTRA",
            "a row's backward beyond its dot product's n: two last operations, exp and a division of s, "
            "three of the check's own centre",
            "gap (tighter): next to a row's n it moves the bound little (gamma(n + 1.5) for gamma(n + 15)); "
            + _WHOLE.format("a left-to-right dot product", "") + " and tests/test_tensor_softmax.py"),
    Threshold("verify.tensor.check.PRECISIONS", "precision", "128 to 2,048 bits for the exact gradients",
              untested=_PRECISION),
    Threshold("verify.tensor.check.TIGHT_BITS", "precision",
              "60 bits: 7 beyond a float's 53, enough to round an exact gradient to its nearest float",
              untested=_PRECISION),
    Threshold("verify.tensor.check._FLOOR", "precision",
              "2**-1000: a radius this small stops the raising of the precision for a gradient at 0",
              untested=_PRECISION),
    Threshold("verify.tensor.audit.RANDOM_PROGRAMS", "limit",
              "30 random chains after the battery, by default", untested=_LIMIT),
    Threshold("verify.tensor.runner.DEADLINE", "limit", "60 s for a whole tensor audit, by default",
              untested=_LIMIT),
    Threshold("verify.tensor.runner.PROGRAM_SECONDS", "limit",
              "5 s for one program in the engine before it counts as hanging", untested=_LIMIT),
    Threshold("verify.tensor.runner.STALL", "limit",
              "2 s past a program's limit before a silent worker is killed (a hang that blocks signals)",
              untested=_LIMIT),
    Threshold("verify.tensor.runner.MEMORY", "limit", "2 GiB of address space for the worker, as the scalar "
              "audit's", untested=_LIMIT),
    Threshold("verify.tensor.sandbox.START", "limit",
              "60 s for the worker to load and survey the engine (numpy, a notebook's imports)",
              untested=_LIMIT),
)

_POINTS = "points the battery tries (inputs, not thresholds): no verdict compares against them"

NOT_THRESHOLDS = {
    "verify.audit.DEFAULT_SEED": "a seed, not a threshold",
    "verify.audit.phases._PROBE": "the survey's probe point (an input, not a threshold)",
    "verify.audit.battery.MAGNITUDES": _POINTS,
    "verify.audit.battery.BASES": _POINTS,
    "verify.audit.battery.CONSTANTS": _POINTS,
    "verify.audit.battery.INTEGER_EXPONENTS": _POINTS,
    "verify.audit.battery.FRACTIONAL_EXPONENTS": _POINTS,
    "verify.audit.battery.VALUE_EXPONENTS": _POINTS,
    "verify.audit.battery.KINK_OFFSETS": _POINTS,
    "verify.audit.battery.ZEROS": _POINTS,
    "verify.audit.battery.EDGE_CONSTANTS": _POINTS,
    "verify.tensor.battery.SHAPES": "the shapes the tensor battery tries (inputs, not thresholds)",
    "verify.tensor.battery.SMALLER": "the smaller shapes a tensor finding is shrunk through (inputs)",
}
"""Module-level numbers in the scanned files that decide nothing, and why."""

LITERALS = {
    ("verify/oracle/exact.py", 1e300): "a fast path: values below it are certainly finite floats; any cutoff "
                                       "under MAX_FLOAT gives the same answer",
    ("verify/oracle/fd.py", 10): "how a bit count is written (10**9 and beyond as a power of 2)",
    ("verify/oracle/fd.py", 9): "how a bit count is written (10**9 and beyond as a power of 2)",
    ("verify/judge/cost.py", 120): "how an estimate is written (minutes beyond 120 s)",
    ("verify/judge/cost.py", 1000): "how an estimate is written (GB beyond 1000 MB)",
    ("verify/oracle/formula.py", 4): "a quarter of MAX_TREE and MAX_DEPTH where no time limit can be armed",
    ("verify/audit/findings.py", 1e16): "how an integer-valued float is written (repr beyond 1e16)",
    ("verify/audit/trial.py", 3): "how many of the verifier's own errors are kept for the report",
    ("verify/audit/substitute.py", 3): "three consumers or more (a count of uses)",
    ("verify/audit/ledger.py", 3): "how many limit messages are kept for the report",
    ("verify/audit/battery.py", 10): "the usual points: a first operand up to 10 (the tails run later)",
    ("verify/audit/battery.py", 300): "the usual points: a second operand (exponent, constant) up to 300",
    ("verify/audit/battery.py", 1e100): "a matched pair this far out is where a rule overflows inside: "
                                        "kept in the first round",
    ("verify/audit/battery.py", 1e-100): "a matched pair this far in is where a rule underflows inside: "
                                         "kept in the first round",
    ("verify/audit/coverage.py", 100): "a feature label for the report (deep), not a verdict",
    ("verify/audit/coverage.py", 1e4): "a feature label for the report (large inputs), not a verdict",
    ("verify/audit/coverage.py", 1e-4): "a feature label for the report (small inputs), not a verdict",
    ("verify/audit/coverage.py", 3): "a feature label for the report (fan-out of 3), not a verdict",
    ("verify/audit/coverage.py", 1e-6): "a feature label for the report (near a kink), not a verdict",
    ("verify/tensor/randomized.py", 0.3): "how often a random program's operand has a size-1 dim (a draw)",
    ("verify/tensor/randomized.py", 0.7): "how often a random matmul's right operand is a matrix (a draw)",
    ("verify/tensor/render.py", 8): "how many wrong elements a text report lists",
    ("verify/tensor/softmax.py", 8): "the counts assume a math library within 4 ulps (8 roundings): asserted",
}
"""Numeric literals in comparisons of the scanned files that are not thresholds, and why."""

AUDIT_DECISIONS = ("trial", "raises", "explain", "isolate", "substitute", "reproduce", "shrink",
                   "values", "campaign", "ledger", "phases", "random_phase", "survey", "battery", "findings",
                   "coverage")
"""The audit's modules that judge, excuse, explain, shrink, reproduce, schedule and limit."""

SCANNED = ("verify/judge/*.py", "verify/oracle/*.py", "verify/audit/__init__.py",
           *(f"verify/audit/{name}.py" for name in AUDIT_DECISIONS),
           "verify/audit/engine/__init__.py", "verify/audit/engine/sandbox.py",
           "verify/audit/engine/worker.py", "verify/tensor/*.py")
"""The judge, the oracles, the audit's decision code and the tensor audit: where a threshold must be
registered."""

UNIMPORTED = ("verify/tensor/__main__.py",)
"""Scanned files whose import runs a program (``python -m``): scanned as text only, so they may
bind no numbers at all."""

PLAIN = (0, 1, 2, -1, 0.5)
"""Literals that are arithmetic, not thresholds (halves, signs, doubling)."""
