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
DISTANCE_TIE = "at the tie x == lo (x == hi) the distance outside is 0, as inside"
ABS_HI_0 = ("at hi == 0 both give [0, -lo] (-self's lo is -0.0, which every comparison takes for 0.0), "
            "and both are Fl")
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


KNOWN_ADJOINTS = ("a slot is a mismatch only where its engine gradient is a known finite number and its "
                  "expected interval is known, which needs every consumer's adjoint known (local.py blinds "
                  "the operands of a consumer without one): the assert holds with and or or")

_SECONDS = 'time = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"'
_MEGABYTES = 'memory = f"{megabytes:,.0f} MB" if megabytes < 1000 else f"{megabytes / 1000:.1f} GB"'
_LOSSY_VALUES = "values = [d if d is not None else math.nan for d in data]"
_CLEARED = "ex = None  # the last precision's balls go before the next are made: a big graph's memory"
_WITNESS = "ex = exact(program, nodes, bits, keep_partials=False)"
_ESCALATED = ("if (not ex.unsure and value_ok and not open_slots) or time.monotonic() - started > "
              "ESCALATION_SECONDS:")
_FROM_OUTPUT = "for s in range(program.size - 1, -1, -1):"
_BELOW_OUTPUT = "for s in range(program.size - 2, -1, -1):"
NO_CONSUMERS = ("the output slot has no consumers, and found.uses[-1] reads the same empty span (its start "
                "is the count of all uses, its end 0): the loop's body adds nothing for slot size - 1 or -1")
_DIVISOR = "y = step.args[1].value if isinstance(step.args[1], Const) else data[step.args[1]]"
DIVISOR_SLOT = ("past its first test (op is div and i == 1) slot s is the division's operand 1, so args[1] "
                "is a slot, never a Const: the constant branch for y never runs")
_DOUBLED = "if -exact_f in envelope or (math.isfinite(2 * exact_f) and 2 * exact_f in envelope):"
_NEGATIVE_POWER = "if integer and y.lo < 0.0 and x.lo <= 0.0 <= x.hi:"
_HULL_0 = "if integer and x.lo < 0.0 < x.hi:"
ZERO_POWER_FIRST = ("an integer exponent that is not negative but below 1 is 0, which returned 1.0 just "
                    "before: only negative exponents reach this test")
ZERO_CORNER = ("an end exactly at 0 is a corner, and 0 ** n (n > 0; n = 0 returned and n < 0 raised "
               "before) is 0: the hull holds 0 already")
COSH_AT_0 = ("at an end exactly 0 the other branch takes cosh over [0, |other end|]: the library's "
             "cosh(0) is exactly 1.0, so both give [1.0, the other end's upper value]")
ABS_AT_0 = ("at an end exactly 0 the next branch gives [0.0, the other end's size] too (-0.0 == 0.0): "
            "the same interval")
_LOW_TOTAL = "return (-math.inf if any(x == -math.inf for x in lo) else _total(lo, -math.inf),"
_HIGH_TOTAL = "math.inf if any(x == math.inf for x in hi) else _total(hi, math.inf))"
TOTAL_NAN = ("_total's inf - inf value is used only when its numbers hold both infinities, and the side "
             "holding its own infinity (-inf below, inf above) was returned just before: never here")
_KEY = "key = None if memo is None else _memo_key(s, xs, data[s])"
_GET = "here = None if key is None or memo is None else memo.get(key)"
_STORE = "if key is not None and memo is not None:"
MEMO_MISS = ("sweep's memo is a cache of allowed() by slot, operands and value (key is None exactly when "
             "memo is): a miss or an unused store makes the same allowance again")
_UP = "up = _scaled_sum([b for b in hi if b > 0], k) * growth"
_DOWN = "down = _scaled_sum([-a for a in lo if a < 0], k) * growth"
ZERO_ADDS_NOTHING = "an end of 0 (or -0.0) adds nothing to the others' sum: taking it in changes nothing"
_SIGNS = "return (*key, *(math.copysign(1.0, v) for v in key[1:] if v is not None))"
TINY_TERM = ("a tiny edge's term holds tiny_times' ends, each moved out by BASE_ULPS ulps (never both 0), "
             "infinite or below 2**-50 in size (a finite adjoint times a partial below 2**-1074): it is "
             "never (0.0, 0.0), (1.0, 0.0) or (0.0, 1.0), and the test is always true")
UNSIGNED_SLOTS = ("counts, slots and operand indices are never negative: an unsigned array holds the "
                  "same numbers")
CONSTANT_USES = ("a partial is None exactly where its operand is a constant (allowed() gives a constant "
                 "operand no partial): 'and' and 'or' agree")
_START = 'start = array("q", bytes(8 * (size + 1)))'
_INDEX = 'consumer, index = array("q", bytes(8 * start[size])), array("q", bytes(8 * start[size]))'
_USED = "if a is not None and here.partials[i] is not None:"
_POINT_NAN = "return (0.0, 0.0) if r != r else (r, r)"
POINT_NAN = ("a product of two points is nan only for 0 x inf (the operands are never nan), and a 0 "
             "returned (0.0, 0.0) on the first line: the nan case never runs")
_FR = "verify.judge.fragility."
_RAISE_RUN = 'got = run(book, "raise", xs, upstream)'
_WORLDS = 'for world in ("raise", "ieee"):'
_LOST_AS = """return Fragility(op, book.name, f"gives {seen!r} for the {_part('grad', index)}", lost,"""
_KEPT_DIGITS = "kept = -math.log10(rel) if rel > 0 else 16.0"
_INF_SIGNS = "return math.isinf(mine) and math.isinf(seen) and (mine > 0) == (seen > 0)"
_SIGNED_INF = "return math.copysign(math.inf, x) * math.copysign(1.0, y)"
NOT_IEEE = 'run() takes every world but "ieee" as Python floats: another name for "raise" is the same world'
UPSTREAM_NEVER_RAISES = ("the upstream gradient only multiplies a rule's float result, and float * never "
                         "raises (an int operand past float range raises converting, whatever the upstream)")
NOT_VALUE = '_part gives "value" only for "value": any other part names the gradient, as "grad" does'
REL_POSITIVE = ("two distinct finite floats differ by at least 2**-54 of the larger (gradual underflow), so "
                "rel > 0 here: -log10(rel) is always taken")
CLAMPED = ("for rel >= 1, 16 + log10(rel) rounds to 16 or more and min(16, ...) makes it 16; for rel < 1 it "
           "is below 16.5: the branch, its bound and the min's 17 give the same count")
BOTH_INF = "both are inf here (checked first): > 0, >= 0 and > 1 agree on +-inf"

EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("verify.judge.floats.xǁFlǁdistance", "if x < self.lo:", "if x <= self.lo:"): DISTANCE_TIE,
    ("verify.judge.floats.xǁFlǁdistance", "if x > self.hi:", "if x >= self.hi:"): DISTANCE_TIE,
    ("verify.judge.floats.xǁFlǁ__abs__", "if self.hi <= 0.0:", "if self.hi < 0.0:"): ABS_HI_0,
    ("verify.judge.cost.x_estimate", _SECONDS, _SECONDS.replace("< 120", "<= 120")):
        "nodes is an int (the program's size) and 4e-5 is no binary fraction: nodes * 4e-5 is never exactly "
        "120 (3,000,000 gives 120.00000000000001, its neighbours 119.99996 and 120.00004)",
    ("verify.judge.cost.x_estimate", _MEGABYTES, _MEGABYTES.replace("< 1000", "<= 1000")):
        "nodes * 900 / 1e6 is exactly 1000 only at nodes = 1e9 / 900, no int (1,111,111 gives 999.9999, "
        "1,111,112 gives 1000.0008)",
    ("verify.judge.lossy.x_fragile_notes", _LOSSY_VALUES,
     _LOSSY_VALUES.replace("if d is not None", "if (d is not None) or True")):
        "values is read only at the step's operands, and a step with an operand None or nan is passed over "
        "(the isfinite filter drops both) before written() reads them",
    ("verify.judge.blame.x_blame", "assert g is not None and expected is not None",
     "assert g is not None or expected is not None"): KNOWN_ADJOINTS,
    ("verify.judge.blame.x__wrong_rule", "assert g is not None and gc is not None",
     "assert g is not None or gc is not None"): KNOWN_ADJOINTS,
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
    (_FR + "x_explain_raise", "upstream: float = 1.0) -> Fragility | None:",
     "upstream: float = 2.0) -> Fragility | None:"): UPSTREAM_NEVER_RAISES,
    (_FR + "x_explain_raise", _RAISE_RUN, 'got = run(book, "raise", xs, )'): UPSTREAM_NEVER_RAISES,
    (_FR + "x_explain_raise", _RAISE_RUN, "got = run(book, None, xs, upstream)"): NOT_IEEE,
    (_FR + "x_explain_raise", _RAISE_RUN, 'got = run(book, "XXraiseXX", xs, upstream)'): NOT_IEEE,
    (_FR + "x_explain_raise", _RAISE_RUN, 'got = run(book, "RAISE", xs, upstream)'): NOT_IEEE,
    (_FR + "x_explain_lost", _WORLDS, 'for world in ("XXraiseXX", "ieee"):'): NOT_IEEE,
    (_FR + "x_explain_lost", _WORLDS, 'for world in ("RAISE", "ieee"):'): NOT_IEEE,
    (_FR + "x_explain_lost", _LOST_AS, _LOST_AS.replace("'grad'", "None")): NOT_VALUE,
    (_FR + "x_explain_lost", _LOST_AS, _LOST_AS.replace("'grad'", "'XXgradXX'")): NOT_VALUE,
    (_FR + "x_explain_lost", _LOST_AS, _LOST_AS.replace("'grad'", "'GRAD'")): NOT_VALUE,
    (_FR + "x_explain_non_finite",
     'mine = got.value if part == "value" else (got.grads[index] if index < len(got.grads) else 0.0)',
     'mine = got.value if part == "value" else (got.grads[index] if index < len(got.grads) else 1.0)'):
        "a missing operand's contribution only has to be finite (it is never non-finite): 0 and 1 both are",
    (_FR + "x_digits_lost", "if rel >= 1.0:", "if rel > 1.0:"): CLAMPED,
    (_FR + "x_digits_lost", "if rel >= 1.0:", "if rel >= 2.0:"): CLAMPED,
    (_FR + "x_digits_lost", "return max(0, min(16, round(16 - kept)))",
     "return max(0, min(17, round(16 - kept)))"): CLAMPED,
    (_FR + "x_digits_lost", _KEPT_DIGITS, _KEPT_DIGITS.replace("if rel > 0", "if (rel > 0) or True")):
        REL_POSITIVE,
    (_FR + "x_digits_lost", _KEPT_DIGITS, _KEPT_DIGITS.replace("rel > 0", "rel >= 0")): REL_POSITIVE,
    (_FR + "x_digits_lost", _KEPT_DIGITS, _KEPT_DIGITS.replace("16.0", "17.0")): REL_POSITIVE,
    (_FR + "x__same_non_finite", _INF_SIGNS, _INF_SIGNS.replace("(mine > 0)", "(mine >= 0)")): BOTH_INF,
    (_FR + "x__same_non_finite", _INF_SIGNS, _INF_SIGNS.replace("(mine > 0)", "(mine > 1)")): BOTH_INF,
    (_FR + "x__same_non_finite", _INF_SIGNS, _INF_SIGNS.replace("(seen > 0)", "(seen >= 0)")): BOTH_INF,
    (_FR + "x__same_non_finite", _INF_SIGNS, _INF_SIGNS.replace("(seen > 0)", "(seen > 1)")): BOTH_INF,
    (_FR + "xǁ_Ieeeǁdiv", _SIGNED_INF, _SIGNED_INF.replace(") * math", ") / math")):
        "inf times +-1 is inf divided by +-1",
    (_FR + "xǁ_Ieeeǁdiv", _SIGNED_INF, _SIGNED_INF.replace("1.0, y", "2.0, y")):
        "inf times +-2 is inf times +-1",
    (_FR + "x__two_branch_sigmoid",
     "return m.div(1.0, 1 + m.exp(-x)) if x >= 0 else m.div(m.exp(x), 1 + m.exp(x))",
     "return m.div(1.0, 1 + m.exp(-x)) if x > 0 else m.div(m.exp(x), 1 + m.exp(x))"):
        "at the tie x = 0 (or -0.0) both branches give 1 / (1 + 1) = 0.5 exactly",
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
    ("verify.judge.verdict.x_certified", "open_slots = set(slots)", "open_slots = None"):
        ("the loop over PRECISIONS (never empty) sets open_slots before it is read: this value is never used "
         "(the same line under `if ex.unsure:` is not equivalent; test_judge_verdict_excuses.py kills it)"),
    ("verify.judge.verdict.x_certified", _CLEARED, _CLEARED.replace("ex = None", 'ex = ""')):
        "ex is cleared only to free the last precision's balls; the next line sets it before it is read",
    ("verify.judge.verdict.x_certified", _WITNESS,
     _WITNESS.replace("keep_partials=False", "keep_partials=None")):
        "exact() reads keep_partials as a flag: None is false as False is",
    ("verify.judge.verdict.x_certified", _ESCALATED, _ESCALATED.replace("> ESCALATION", ">= ESCALATION")):
        "time.monotonic() is read between precisions: landing on exactly 10.0 s rather than just past it "
        "is no behaviour a check can rely on (the limit is a time budget, not a result)",
    ("verify.judge.verdict.x_overflowing", _FROM_OUTPUT, _FROM_OUTPUT.replace("size - 1", "size - 2")):
        NO_CONSUMERS,
    ("verify.judge.verdict.x_overflowing", _FROM_OUTPUT, _FROM_OUTPUT.replace("-1, -1)", "-2, -1)")):
        NO_CONSUMERS,
    ("verify.judge.verdict.x_underflowing", _BELOW_OUTPUT, _BELOW_OUTPUT.replace("-1, -1)", "-2, -1)")):
        NO_CONSUMERS,
    ("verify.judge.verdict.x__rule_underflows", _DIVISOR,
     _DIVISOR.replace("if isinstance(step.args[1], Const)",
                      "if (isinstance(step.args[1], Const)) and False")):
        DIVISOR_SLOT,
    ("verify.judge.verdict.x__rule_underflows", _DIVISOR,
     _DIVISOR.replace("y = step.args[1]", "y = step.args[2]")): DIVISOR_SLOT,
    ("verify.judge.verdict.x__unresolved", _DOUBLED,
     _DOUBLED.replace("isfinite(2 * exact_f)", "isfinite(2 / exact_f)")):
        ("_row asks only with a finite envelope, and here |exact_f| >= MIN_NORMAL, so 2 / exact_f is "
         "finite: where 2 * exact_f is inf, the mutant asks if inf is in a finite envelope; it never is"),
    ("verify.judge.floats.x__pow", _NEGATIVE_POWER, _NEGATIVE_POWER.replace("y.lo < 0.0", "y.lo <= 0.0")):
        ZERO_POWER_FIRST,
    ("verify.judge.floats.x__pow", _NEGATIVE_POWER, _NEGATIVE_POWER.replace("y.lo < 0.0", "y.lo < 1.0")):
        ZERO_POWER_FIRST,
    ("verify.judge.floats.x__pow", _HULL_0, _HULL_0.replace("x.lo < 0.0", "x.lo <= 0.0")): ZERO_CORNER,
    ("verify.judge.floats.x__pow", _HULL_0, _HULL_0.replace("0.0 < x.hi", "0.0 <= x.hi")): ZERO_CORNER,
    ("verify.judge.floats.x__cosh", "if x.lo < 0.0 < x.hi:", "if x.lo <= 0.0 < x.hi:"): COSH_AT_0,
    ("verify.judge.floats.x__cosh", "if x.lo < 0.0 < x.hi:", "if x.lo < 0.0 <= x.hi:"): COSH_AT_0,
    ("verify.judge.local.x__near_overflow", _UP, _UP.replace("b > 0", "b >= 0")): ZERO_ADDS_NOTHING,
    ("verify.judge.local.x__near_overflow", _DOWN, _DOWN.replace("a < 0", "a <= 0")): ZERO_ADDS_NOTHING,
    ("verify.judge.local.x__memo_key", _SIGNS, _SIGNS.replace("copysign(1.0", "copysign(2.0")):
        "the signs only tell keys apart: +-2.0 does that as +-1.0 does",
    ("verify.judge.local.x__tiny_edge", "if t != (0.0, 0.0):", "if t != (1.0, 0.0):"): TINY_TERM,
    ("verify.judge.local.x__tiny_edge", "if t != (0.0, 0.0):", "if t != (0.0, 1.0):"): TINY_TERM,
    ("verify.judge.local.x__tiny_edge", "assert q is not None and k is not None",
     "assert q is not None or k is not None"):
        "best[i] is set wherever partials[i] is, and k is close[i] or partials[i]: it holds either way",
    ("verify.judge.local.x_sweep", _KEY, "key = None"): MEMO_MISS,
    ("verify.judge.local.x_sweep", _KEY, _KEY.replace("if memo is None", "if (memo is None) and False")):
        MEMO_MISS,
    ("verify.judge.local.x_sweep", _KEY, _KEY.replace("if memo is None", "if (memo is None) or True")):
        MEMO_MISS,
    ("verify.judge.local.x_sweep", _KEY, _KEY.replace("if memo is None", "if memo is not None")): MEMO_MISS,
    ("verify.judge.local.x_sweep", _GET, "here = None"): MEMO_MISS,
    ("verify.judge.local.x_sweep", _GET, _GET.replace("if key is None or memo is None",
                                                      "if (key is None or memo is None) or True")): MEMO_MISS,
    ("verify.judge.local.x_sweep", _GET, _GET.replace("key is None or memo", "key is None and memo")):
        MEMO_MISS,
    ("verify.judge.local.x_sweep", _GET, _GET.replace("if key is None", "if key is not None")): MEMO_MISS,
    ("verify.judge.local.x_sweep", _GET, _GET.replace("memo is None else", "memo is not None else")):
        MEMO_MISS,
    ("verify.judge.local.x_sweep", _GET, _GET.replace("memo.get(key)", "memo.get(None)")): MEMO_MISS,
    ("verify.judge.local.x_sweep", _STORE, _STORE.replace("None and memo", "None or memo")): MEMO_MISS,
    ("verify.judge.local.x_sweep", _STORE, _STORE.replace("key is not None", "key is None")): MEMO_MISS,
    ("verify.judge.local.x_sweep", _STORE, _STORE.replace("memo is not None", "memo is None")): MEMO_MISS,
    ("verify.judge.local.x_sweep", "memo[key] = here", "memo[key] = None"): MEMO_MISS,
    ("verify.judge.local.x__finish", _LOW_TOTAL, _LOW_TOTAL.replace("lo, -math.inf)", "lo, None)")):
        TOTAL_NAN,
    ("verify.judge.local.x__finish", _LOW_TOTAL, _LOW_TOTAL.replace("lo, -math.inf)", "lo, +math.inf)")):
        TOTAL_NAN,
    ("verify.judge.local.x__finish", _HIGH_TOTAL, _HIGH_TOTAL.replace("hi, math.inf)", "hi, None)")):
        TOTAL_NAN,
    ("verify.judge.floats.xǁFlǁ__abs__", "if self.lo >= 0.0:", "if self.lo > 0.0:"): ABS_AT_0,
    ("verify.judge.local.xǁUsesǁ__init__", _START, _START.replace('"q"', '"Q"')): UNSIGNED_SLOTS,
    ("verify.judge.local.xǁUsesǁ__init__", _START, _START.replace("size + 1", "size + 2")):
        "start[size + 1] stays 0 and is never read: lookups stop at start[size]",
    ("verify.judge.local.xǁUsesǁ__init__", 'fill = array("q", start)', 'fill = array("Q", start)'):
        UNSIGNED_SLOTS,
    ("verify.judge.local.xǁUsesǁ__init__", _INDEX, _INDEX.replace('array("q"', 'array("Q"', 1)):
        UNSIGNED_SLOTS,
    ("verify.judge.local.xǁUsesǁ__init__", _INDEX, _INDEX.replace('), array("q"', '), array("Q"')):
        UNSIGNED_SLOTS,
    ("verify.judge.local.xǁUsesǁ__init__", _USED, _USED.replace(" and ", " or ")): CONSTANT_USES,
    ("verify.judge.local.x__times", _POINT_NAN, _POINT_NAN.replace("if r != r", "if (r != r) and False")):
        POINT_NAN,
    ("verify.judge.local.x__times", _POINT_NAN, _POINT_NAN.replace("(0.0, 0.0) if", "(1.0, 0.0) if")):
        POINT_NAN,
    ("verify.judge.local.x__times", _POINT_NAN, _POINT_NAN.replace("(0.0, 0.0) if", "(0.0, 1.0) if")):
        POINT_NAN,
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
    "verify.judge.floats.xǁ_Functionǁ__init__": "the FL table's library functions are made at import",
}
"""Functions that run only while their module is imported, before mutmut switches a mutant on: no test
can see their mutants (not equivalent; the code they build is tested directly)."""
