"""Surviving mutants that can not change what the verifier computes or prints, each with its reason.

A key is (the mutated function as mutmut names it, the line before, the line after), both lines
stripped; ``run.py`` gives the reason instead of "a test to write". ``tests/test_mutation_run.py``
checks that every line before is still in the named file, so an entry goes stale loudly.
Only mutants shown equivalent belong here: one a test could tell apart is a test to write.
"""

from __future__ import annotations

ARB_ABS = ("arb's abs does not narrow a ball around 0 (|mid| +/- rad), and an even power multiplies only "
           "even powers of the base, whose sign never shows: abs(x) or x give the same ball")
ARB_PRINTS = ("arb's str never prints this form (an exact 0 is handled before; a ball around 0 prints "
              "as '0e+N', an integer mantissa always has an exponent): the alternative is unreachable")
DEAD_EQUAL_ENDS = ("enclosure() moves both ends outward by an ulp, so lo == hi never holds for a real ball "
                   "(and nan != nan): the branch is unreachable")
NEVER_EMPTY = ("every step has an operand that is a slot (Program refuses a step of constants only), so "
               "max() never falls back to its default")
DOMAINS = ("every domain in the op table that ends below +inf is (-inf, 0) beside (0, inf), and an operand "
           "certainly outside both lies below 0: whether the upper or lower end is compared with 0 (or with "
           "<= for <) decides nothing")
REMADE = ("partials_at's kept partials are a cache: made again at the same values and precision they are "
          "the same balls")
UNREACHED_REMADE = ("every partial exact() could not make is kept (as None, off the output's path) or "
                    "stops exact() itself: remaking one never raises, so this line never runs")
SIDED = "an exact ball other than 0 is already on one side (x > 0 or x < 0), and is_zero implies exact"
_QUARTER = "if not timed and (tree[cone[-1]] > MAX_TREE // 4 or depth[cone[-1]] > MAX_DEPTH // 4):"
QUARTERS = "MAX_TREE (200) and MAX_DEPTH (24) divide by 4 exactly: / gives the number // does"
_PAST_FLOAT = "out.append(math.inf if v > 0 else -math.inf)"
PAST_FLOAT64 = ("only an int beyond float64 (|v| >= 2**1024) overflows float(): never 0 or 1, so > 0, >= 0 "
                "and > 1 agree")
KINKS_AT_0 = ("every kink in the op table is at 0 with sides that differ ((0, 1) and (-1, 1)), and arb(None) "
              "is 0: the same point, and never the hi == lo branch")
FL_ALWAYS = ("every op exact in floats (add sub mul div neg relu abs) returns a float interval from its "
             "definition on Outward numbers: the other branch never runs")
UNREAD_ENDS = ("the enclosure of a constant or operand partial is only asked whether it is a ball (it is "
               "not): its ends are never read")
_TO_FL = "got = got if isinstance(got, Fl) else Outward(float(got)) + 0.0"
_KINK_BALL = "return UNIT * (hi - lo) + lo if hi != lo else ball(lo)"
UNCALLED = ("a constant or operand partial is evaluated as its constant or its operand (Calculus.partial, "
            "Partial.on_floats): its compiled form is never called")
OP_TABLE_ACCEPTS = ("every op of one float operation (add sub mul neg relu abs) accepts no other formula, "
                    "and every other op accepts partial formulas: the quick path is taken for the same ops")
NO_SIDES = "calc.kink() of an op without kinks loops over no sides and gives None, as the else branch does"
POINTS_MISS = "_POINTS is a cache of Fl(constant): a miss makes the same Fl again"
_QUICK = "if calc.one_operation and not row.accepts.values and not row.accepts.partials:"
CACHE_MISS = "a cache or sharing table: a miss makes the same value again"
SAME_SLOT = "the op is applied to one slot twice (node.same: args[0] == args[1]): either index is that slot"
ARB_NONE = "arb(None) is 0, as arb(0) is"
NAN_CASE = "float() reads 'NAN' as 'nan'"
BIG_LITERAL = "1e+300 is the literal 1e300"
AT_1E300 = ("a value of exactly 1e300 taken to the ball comparison is certainly below MAX_FLOAT and holds "
            "neither +-MAX_FLOAT: the same answer as not comparing")
FALSY = "on_kink is only tested for truth: None and False are both false"
UNARY_KINKS = "ops with kinks (relu, abs) are unary: only operand 0 has one"
CONSTANT_PAIRS = "a partial is None exactly where its operand is a constant (local_partials): the tests agree"
UNARY_STEPS = ("Partial.step is set only for a unary op's operand (1 or -1): xs[-1] is xs[0], and a step is "
               "never 0")
NO_DIRAC = ("no derivative of the op table holds a DiracDelta (relu and abs differentiate to Heaviside and "
            "sign): the replacement is never called")
_SAME_ADJ = "adjoints[node.args[0]] = adjoints[node.args[0]] + a * p  # type: ignore[index]"
_SAME_P = "p = node.calc.same_partial(xs[0])  # one total derivative: x / x passes x exactly 0"
_SAME_V = "v = node.calc.same_value(xs[0]) if node.same else node.calc.value(xs)"
_BIG = "if not float(v.abs_upper()) < 1e300:  # the rare big value: compare on balls"
_DIRAC = "return expr.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))"
_BOUND = 'return f"0 (|x| < {_trimmed(str(bound.str(2, radius=False)))})"'
_DEPTH = "depth[slot] = 1 + max((depth[a] for a in args if not isinstance(a, Const)), default=0)"
_KEPT = "kept = ex.partials.get(node.slot)"
ONE_RUN_MEMO = ("check_run's table of witnesses is new per call, so a memo only keeps allowances no later "
                "run reads, and keeps passed nodes' value intervals whole, which no check reads after the "
                "sweep")
MEMO_FALSY = "memo is only tested for truth ({} if memo else None): None and False are both false"
NEVER_PASS_AND_LEFT = ("left holds every slot of found.undefined, and _verdict gives inconclusive whenever "
                       "found.undefined is not empty: a pass with left never happens, so the line never runs")
NO_FAULTS_YET = "the branch runs only when faults is empty: faults = x and faults += x give the same list"
UNREAD_PROGRAM = "fragile_notes never reads its program argument"
ERROR_AT_AN_END = ("at x == lo (or x == hi) the distance lo - x (or x - hi) is 0, the value of the branch "
                   "the tie falls to instead")
_CHECK_RUN = "return _check_run(program, data, grad, inputs, {}, memo=False)"
_FRAGILE = "notes += fragile_notes(program, nodes, names, finite_data, finite_grad, found, ex)"
_ERR = "err = float(lo - x) if x < lo else float(x - hi) if x > hi else 0.0"


EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("verify.oracle.ball.x__integer_power",
     "result, square = ONE, (abs(x) if n % 2 == 0 else x)",
     "result, square = ONE, (abs(x) if (n % 2 == 0) and False else x)"): ARB_ABS,
    ("verify.oracle.ball.x__integer_power",
     "result, square = ONE, (abs(x) if n % 2 == 0 else x)",
     "result, square = ONE, (abs(x) if n / 2 == 0 else x)"): ARB_ABS,
    ("verify.oracle.ball.x_text",
     'shown = str(x.str(digits, radius=False))',
     'shown = str(x.str(digits, radius=None))'):
        "python-flint reads radius as a flag: None is false as False is",
    ("verify.oracle.ball.x_text", _BOUND, _BOUND.replace("radius=False", "radius=None")):
        "python-flint reads radius as a flag: None is false as False is",
    ("verify.oracle.ball.x_text",
     'if shown.startswith(("0e", "-0e")) or shown in ("0", "-0"):',
     'if shown.startswith(("0e", "XX-0eXX")) or shown in ("0", "-0"):'): ARB_PRINTS,
    ("verify.oracle.ball.x_text",
     'if shown.startswith(("0e", "-0e")) or shown in ("0", "-0"):',
     'if shown.startswith(("0e", "-0E")) or shown in ("0", "-0"):'): ARB_PRINTS,
    ("verify.oracle.ball.x_text",
     'if shown.startswith(("0e", "-0e")) or shown in ("0", "-0"):',
     'if shown.startswith(("0e", "-0e")) or shown in ("XX0XX", "-0"):'): ARB_PRINTS,
    ("verify.oracle.ball.x_text",
     'if shown.startswith(("0e", "-0e")) or shown in ("0", "-0"):',
     'if shown.startswith(("0e", "-0e")) or shown in ("0", "XX-0XX"):'): ARB_PRINTS,
    ("verify.oracle.ball.x__trimmed", 'mantissa = mantissa.rstrip("0")',
     'mantissa = mantissa.rstrip("XX0XX")'):
        "rstrip takes a set of characters, and a printed number holds no X: the same digits are stripped",
    ("verify.oracle.ball.x__trimmed", 'mantissa += ".0"', 'mantissa = ".0"'): ARB_PRINTS,
    ("verify.oracle.ball.x__trimmed", 'mantissa += ".0"', 'mantissa -= ".0"'): ARB_PRINTS,
    ("verify.oracle.ball.x__trimmed", 'mantissa += ".0"', 'mantissa += "XX.0XX"'): ARB_PRINTS,
    ("verify.oracle.ball.x_span_text", "return repr(lo)", "return repr(None)"): DEAD_EQUAL_ENDS,
    ("verify.oracle.ball.x__rounded", "for digits in range(1, 18):", "for digits in range(1, 19):"):
        "17 significant digits print every float back exactly: an 18th try returns x, as the loop's end does",
    ("verify.oracle.ball.x__heaviside", "if x.is_exact() and x.is_zero():",
     "if x.is_exact() or x.is_zero():"): SIDED,
    ("verify.oracle.ball.x__sign", "if x.is_exact() and x.is_zero():",
     "if x.is_exact() or x.is_zero():"): SIDED,
    ("verify.oracle.ball.x_compile_expr",
     "waiting = [] if node in index else [a for a in node.args if a not in slot]",
     "waiting = [] if (node in index) and False else [a for a in node.args if a not in slot]"):
        "every caller compiles over Symbols, which have no args: an argument waits for nothing either way",
    ("verify.oracle.formula.x_formulas", _DEPTH, _DEPTH.replace("default=0", "default=None")): NEVER_EMPTY,
    ("verify.oracle.formula.x_formulas", _DEPTH, _DEPTH.replace("default=0", "")): NEVER_EMPTY,
    ("verify.oracle.formula.x_formulas", _DEPTH, _DEPTH.replace("default=0", "default=1")): NEVER_EMPTY,
    ("verify.oracle.formula.x_formulas", _QUARTER, _QUARTER.replace("TREE // 4", "TREE / 4")): QUARTERS,
    ("verify.oracle.formula.x_formulas", _QUARTER, _QUARTER.replace("DEPTH // 4", "DEPTH / 4")): QUARTERS,
    ("verify.oracle.exact.x__outside",
     "if all(x.upper() < lo or x.lower() > hi for lo, hi in region.intervals):",
     "if all(x.upper() < lo or x.upper() > hi for lo, hi in region.intervals):"): DOMAINS,
    ("verify.oracle.exact.x__outside",
     "if all(x.upper() < lo or x.lower() > hi for lo, hi in region.intervals):",
     "if all(x.upper() < lo or x.lower() >= hi for lo, hi in region.intervals):"): DOMAINS,
    ("verify.oracle.exact.x_partials_at", _KEPT, "kept = None"): REMADE,
    ("verify.oracle.calculus.x__partial", "return Partial(value, None, compiled)",
     "return Partial(value, None, None)"): UNCALLED,
    ("verify.oracle.calculus.x__partial", "return Partial(None, symbols.index(d), compiled)",
     "return Partial(None, symbols.index(d), None)"): UNCALLED,
    ("verify.oracle.exact.x__kink_sides", "if x == ball(point):", "if x == ball(None):"): KINKS_AT_0,
    ("verify.oracle.exact.x__kink_sides", _KINK_BALL, _KINK_BALL.replace("hi != lo", "(hi != lo) or True")):
        KINKS_AT_0,
    ("verify.oracle.exact.x__kink_sides", _KINK_BALL, _KINK_BALL.replace("ball(lo)", "ball(None)")):
        KINKS_AT_0,
    ("verify.judge.allowance.x__exact_value", _TO_FL,
     _TO_FL.replace("isinstance(got, Fl)", "(isinstance(got, Fl)) or True")): FL_ALWAYS,
    ("verify.judge.allowance.x__exact_value", _TO_FL, _TO_FL.replace("+ 0.0", "- 0.0")): FL_ALWAYS,
    ("verify.judge.allowance.x__exact_value", _TO_FL, _TO_FL.replace("Outward(float(got))", "Outward(None)")):
        FL_ALWAYS,
    ("verify.judge.allowance.x__exact_value", _TO_FL, _TO_FL.replace("float(got)", "float(None)")): FL_ALWAYS,
    ("verify.judge.allowance.x__exact_partial", "return Fl(p.constant), p.constant, Fl(p.constant)",
     "return Fl(None), p.constant, Fl(p.constant)"):
        UNREAD_ENDS,
    ("verify.judge.allowance.x__exact_partial", "return Fl(xs[p.operand]), xs[p.operand], Fl(xs[p.operand])",
     "return Fl(None), xs[p.operand], Fl(xs[p.operand])"):
        UNREAD_ENDS,
    ("verify.judge.allowance.x_allowed", _QUICK, _QUICK.replace("values and not", "values or not")):
        OP_TABLE_ACCEPTS,
    ("verify.judge.allowance.x_allowed", _QUICK, _QUICK.replace("operation and", "operation or")):
        OP_TABLE_ACCEPTS,
    ("verify.judge.allowance.x_allowed", "sides = calc.kink(xs[0]) if calc.sides else None",
     "sides = calc.kink(xs[0]) if (calc.sides) or True else None"): NO_SIDES,
    ("verify.judge.allowance.x__quick", "point = _POINTS.get(p.constant)", "point = None"): POINTS_MISS,
    ("verify.judge.allowance.x__quick", "point = _POINTS.get(p.constant)", "point = _POINTS.get(None)"):
        POINTS_MISS,
    ("verify.judge.allowance.x__enclose", "got = None", 'got = ""'):
        "the loop over _PRECISIONS (never empty) always sets got before it is read",
    ("verify.oracle.exact.x_partials_at", _KEPT, "kept = ex.partials.get(None)"): REMADE,
    ("verify.oracle.exact.x_partials_at", "return [None] * len(node.args)", "return [None] / len(node.args)"):
        UNREACHED_REMADE,
    ("verify.oracle.fd.x__gap", "if m < lo:", "if m <= lo:"): "at m == lo, lo - m is 0, as inside",
    ("verify.oracle.fd.x__gap", "if m > hi:", "if m >= hi:"): "at m == hi, m - hi is 0, as inside",
    ("verify.oracle.fd.x__gap", "return ball(0)", "return ball(None)"): ARB_NONE,
    ("verify.oracle.fd.x__directional", "exact = ball(0)", "exact = ball(None)"): ARB_NONE,
    ("verify.oracle.fd.x__directional", "size = ball(0)", "size = ball(None)"): ARB_NONE,
    ("verify.judge.given.x_as_floats", _PAST_FLOAT, _PAST_FLOAT.replace("v > 0", "v >= 0")): PAST_FLOAT64,
    ("verify.judge.given.x_as_floats", _PAST_FLOAT, _PAST_FLOAT.replace("v > 0", "v > 1")): PAST_FLOAT64,
    ("verify.oracle.fd.x__directional", "size = size + abs(gi) * si", "size = size - abs(gi) * si"):
        "the size of the terms is read only as is_zero() and through _exponent (of its absolute value); as "
        "scale it is read only where it is 0: its sign decides nothing",
    ("verify.oracle.fd.x__kink_sides_values", "side += 1", "side = 1"):
        "every op with kinks has one kink: side starts at 0 and is raised at most once",
    ("verify.oracle.exact.x_plan", "calc = found.get(key)", "calc = None"): CACHE_MISS,
    ("verify.oracle.exact.x_plan", "calc = found.get(key)", "calc = found.get(None)"): CACHE_MISS,
    ("verify.oracle.exact.x_plan", "balls = shared_balls.get(consts)", "balls = None"): CACHE_MISS,
    ("verify.oracle.exact.x_plan", "balls = shared_balls.get(consts)", "balls = shared_balls.get(None)"):
        CACHE_MISS,
    ("verify.oracle.exact.x_plan", "same = len(args) == 2 and args[0] is not None and args[0] == args[1]",
     "same = len(args) == 2 and args[1] is not None and args[0] == args[1]"): SAME_SLOT,
    ("verify.oracle.exact.x__ball_of", "b = cache.get(c)", "b = None"): CACHE_MISS,
    ("verify.oracle.exact.x__ball_of", "b = cache.get(c)", "b = cache.get(None)"): CACHE_MISS,
    ("verify.oracle.exact.x_forward", _SAME_V, _SAME_V.replace("xs[0]", "xs[1]")): SAME_SLOT,
    ("verify.oracle.exact.x_forward", _BIG, _BIG.replace("< 1e300", "<= 1e300")): AT_1E300,
    ("verify.oracle.exact.x_forward", _BIG, _BIG.replace("1e300:", "1e+300:")): BIG_LITERAL,
    ("verify.oracle.exact.x_local_partials", "on_kink = False", "on_kink = None"): FALSY,
    ("verify.oracle.exact.x_local_partials", "if i == 0 and calc.sides:", "if i == 0 or calc.sides:"):
        UNARY_KINKS,
    ("verify.oracle.exact.x_local_partials", "if any(xs[0].contains(ball(point)) for point in calc.sides):",
     "if any(xs[0].contains(ball(None)) for point in calc.sides):"): KINKS_AT_0,
    ("verify.oracle.exact.x_exact", 'nan = ball(float("nan"))', 'nan = ball(float("NAN"))'): NAN_CASE,
    ("verify.oracle.exact.x_exact", "adjoints: list[Ball] = [ball(0)] * len(values)",
     "adjoints: list[Ball] = [ball(None)] * len(values)"): ARB_NONE,
    ("verify.oracle.exact.x_exact", _SAME_P, _SAME_P.replace("xs[0]", "xs[1]")): SAME_SLOT,
    ("verify.oracle.exact.x_exact", _SAME_ADJ, _SAME_ADJ.replace("adjoints[node.args[0]] =",
                                                               "adjoints[node.args[1]] =")): SAME_SLOT,
    ("verify.oracle.exact.x_exact", _SAME_ADJ, _SAME_ADJ.replace("= adjoints[node.args[0]] +",
                                                               "= adjoints[node.args[1]] +")): SAME_SLOT,
    ("verify.oracle.exact.x_exact", "if arg is not None and p is not None:",
     "if arg is not None or p is not None:"): CONSTANT_PAIRS,
    ("verify.oracle.calculus.xǁPartialǁon_floats", "x = xs[abs(self.step) - 1]",
     "x = xs[abs(self.step) - 2]"):
        UNARY_STEPS,
    ("verify.oracle.calculus.xǁPartialǁon_floats", "if self.step > 0:", "if self.step >= 0:"): UNARY_STEPS,
    ("verify.oracle.calculus.x__smooth", _DIRAC, _DIRAC.replace("sympy.Integer(0))", "None)")): NO_DIRAC,
    ("verify.oracle.calculus.x__smooth", _DIRAC, _DIRAC.replace("Integer(0)", "Integer(None)")): NO_DIRAC,
    ("verify.oracle.calculus.x__smooth", _DIRAC, _DIRAC.replace("Integer(0)", "Integer(1)")): NO_DIRAC,
    ("verify.judge.verdict.x_check_run", _CHECK_RUN, _CHECK_RUN.replace("False", "None")): MEMO_FALSY,
    ("verify.judge.verdict.x_check_run", _CHECK_RUN, _CHECK_RUN.replace("False", "True")): ONE_RUN_MEMO,
    ("verify.judge.verdict.x__check_run", 'verdict = "inconclusive"', "verdict = None"): NEVER_PASS_AND_LEFT,
    ("verify.judge.verdict.x__check_run", "faults += _unblamed(rows)", "faults = _unblamed(rows)"):
        NO_FAULTS_YET,
    ("verify.judge.verdict.x__check_run", _FRAGILE, _FRAGILE.replace("(program,", "(None,")): UNREAD_PROGRAM,
    ("verify.judge.verdict.x__error", _ERR, _ERR.replace("x < lo", "x <= lo")): ERROR_AT_AN_END,
    ("verify.judge.verdict.x__error", _ERR, _ERR.replace("x > hi", "x >= hi")): ERROR_AT_AN_END,
}


AT_IMPORT: dict[str, str] = {
    "verify.oracle.ball.x__fold": "ball._FUNCTIONS (Add, Mul, Max) is built from it at import",
}
"""Functions that run only while their module is imported, before mutmut switches a mutant on: no test
can see their mutants (not equivalent; the code they build is tested directly)."""
