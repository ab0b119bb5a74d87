"""What every engine of the zoo is, and what a good audit must say about it.

One ``Entry`` per class. ``tests/test_zoo.py`` proves every claim here
without PyTorch and without the audit: it runs each witness with the zoo
class and with ``micrograd.Value`` and shows the difference (or the
exception, the hang, the failing protocol step, the attack).

Fields:

spec           "file.py:Class", relative to this folder (what --engine takes, after the folder)
family         the kind of mistake, one of FAMILIES
kind           the finding a good audit reports, one of KINDS ("none": no fault)
culprit        the op-table names a good audit blames: the op whose rule is wrong,
               crashes or hangs. Empty when no single op is at fault (traversal,
               engine-wide accumulation, unusable or correct engines). Several names
               for one bug mean its code is shared by those ops (every `**`), so
               blaming any of them is right; the "two bugs" engine names one op per bug.
layout         where the bug shows: "f(x)" a unary op, "x o y" two Values, "x o c" a
               number on the right, "c o x" a number on the left, "x o x" the same object
               on both sides, "graph" only in a graph (shared nodes, depth, order)
witness        a micrograd snippet using the name V for the class that shows the bug
expected_exit  what a good audit's exit code is: 0 no fault (fragilities alone), 1 a fault, 2 unusable
note           what the bug is, in one line
category       "fault", or "fragility": what an accepted textbook formula for the op also does at
               that point in float64 (reported apart, exit 0; 1 with --strict)
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = (
    "tails",              # a rule right near 0 and wrong for large |x|
    "negative side",      # a rule that uses |operand|
    "tiny operands",      # an epsilon against division by zero
    "huge operands",      # an intermediate that overflows for large operands
    "taylor series",      # a truncated series, right near 0 only
    "number on the left",  # wrong only for c - x, c / x, c ** x with c != 1
    "same object",        # wrong only for x * x, x - x, x / x
    "fan-out 2",          # `=` instead of `+=`: a node with two consumers loses one
    "fan-out 3",          # contributions lost only from the third consumer on
    "traversal",          # backward visits nodes in a wrong order
    "deep graph",         # gradients silently stop beyond some depth
    "crash",              # an op raises, in forward or only in backward
    "overflow",           # a textbook formula that overflows where the function is finite
    "1e-12",              # a rule off by about 1e-12 relative
    "forward",            # an op's value is wrong, its rule is the usual one
    "exponent gradient",  # a Value exponent (x ** y, 2 ** x) gets no gradient
    "mutation",           # an op that changes its operand
    "graph cut",          # an op whose output forgets its parents
    "two bugs",           # two wrong rules in two ops
    "sometimes",          # wrong in some runs only (set order by id)
    "unreadable",         # .grad is not a real number
    "hang",               # ops that never return, or a backward that is slow
    "unusable",           # the engine does not speak the protocol
    "hostile",            # the engine attacks whoever runs it
    "bare protocol",      # only Value + Value and Value * Value
    "packaging",          # an engine a loader must work to import
    "unsupported layout",  # no bug; a layout the engine does not take raises the same everywhere
    "composite",          # div, sub, neg, tanh, sigmoid built from the engine's own mul, add, pow, exp
    "several backward()",  # right in one backward(), wrong across two or in a training loop
    "exact zero",         # a rule right everywhere but at an operand exactly 0 (base, numerator, factor)
    "value grads",        # no bug: .grad is a Value of the engine, its .data the gradient
    "correct",            # no bug
)

KINDS = ("wrong-rule", "lost-contribution", "traversal", "crash", "forward", "unreadable", "non-finite",
         "in-place", "accumulation", "hang", "unusable", "hostile", "none")

LAYOUTS = ("f(x)", "x o y", "x o c", "c o x", "x o x", "graph")

EVERY_POWER = ("powi", "powc", "pow")


@dataclass(frozen=True)
class Entry:
    spec: str
    family: str
    kind: str
    culprit: tuple[str, ...]
    layout: str
    witness: str
    expected_exit: int
    note: str
    category: str = "fault"

    @property
    def file(self) -> str:
        return self.spec.rpartition(":")[0]

    @property
    def cls(self) -> str:
        return self.spec.rpartition(":")[2]


def _bug(spec: str, family: str, kind: str, culprit: tuple[str, ...], layout: str, witness: str,
         note: str, expected_exit: int = 1) -> Entry:
    return Entry(spec, family, kind, culprit, layout, witness, expected_exit, note)


def _fragile(spec: str, family: str, kind: str, culprit: tuple[str, ...], layout: str, witness: str,
             note: str) -> Entry:
    return Entry(spec, family, kind, culprit, layout, witness, 0, note, "fragility")


def _correct(spec: str, note: str) -> Entry:
    return Entry(spec, "correct", "none", (), "graph", README_SNIPPET, 0, note)


README_SNIPPET = (
    "a = V(-4.0); b = V(2.0); c = a + b; d = a * b + b**3; c += c + 1; c += 1 + c + (-a); "
    "d += d * 2 + (b + a).relu(); d += 3 * d + (b - a).relu(); e = c - d; f = e**2; "
    "g = f / 2.0; g += 10.0 / f; g.backward()"
)
"""micrograd's README example: a correct engine gives g = 24.7041, a.grad = 138.8338, b.grad = 645.5773."""

CHAIN_1500 = "x = V(0.5)\ny = x\nfor _ in range(1500):\n    y = y + 1.0\ny.backward()"
CHAIN_12000 = "x = V(0.5)\ny = x\nfor _ in range(12000):\n    y = y + 1.0\ny.backward()"
SHARED_DIAMOND = "x = V(2.0); a = x * 2.0; b = a * 3.0; d = b * 1.0; c = a + d; c.backward()"
REUSED_TWICE = "x = V(2.0); a = x * 3.0; b = a + a; b.backward()"

ENTRIES: tuple[Entry, ...] = (
    # ---- rules.py: a rule wrong on part of the domain ----
    _bug("rules.py:ClippedExp", "tails", "wrong-rule", ("exp",), "f(x)",
         "x = V(25.0); y = x.exp(); y.backward()",
         "exp' = exp(min(x, 20)): clipped, wrong for x > 20"),
    _bug("rules.py:SaturatedTanh", "tails", "wrong-rule", ("tanh",), "f(x)",
         "x = V(3.5); y = x.tanh(); y.backward()",
         "tanh' = 0 for |x| > 3"),
    _bug("rules.py:SaturatedSigmoid", "tails", "wrong-rule", ("sigmoid",), "f(x)",
         "x = V(-9.0); y = x.sigmoid(); y.backward()",
         "sigmoid' = 0 for |x| > 8"),
    _bug("rules.py:MulAbs", "negative side", "wrong-rule", ("mul",), "x o y",
         "x = V(-2.0); y = V(3.0); z = x * y; z.backward()",
         "mul's partials are |y| and |x|: wrong when an operand is negative"),
    _bug("rules.py:PowAbsBase", "negative side", "wrong-rule", ("powi",), "x o c",
         "x = V(-1.5); y = x ** 2; y.backward()",
         "d(x**k)/dx = k * |x| ** (k-1): wrong for x < 0 and even k"),
    _bug("rules.py:AbsSlopeOne", "negative side", "wrong-rule", ("abs",), "f(x)",
         "x = V(-2.0); y = abs(x); y.backward()",
         "abs' = 1 for x != 0: wrong for x < 0"),
    _bug("rules.py:LogEpsilon", "tiny operands", "wrong-rule", ("log",), "f(x)",
         "x = V(1e-08); y = x.log(); y.backward()",
         "log' = 1 / (x + 1e-8)"),
    _bug("rules.py:SqrtEpsilon", "tiny operands", "wrong-rule", ("sqrt",), "f(x)",
         "x = V(1e-24); y = x.sqrt(); y.backward()",
         "sqrt' = 0.5 / (sqrt(x) + 1e-12)"),
    _bug("rules.py:DivEpsilon", "tiny operands", "wrong-rule", ("div",), "x o y",
         "x = V(1.0); y = V(1e-09); z = x / y; z.backward()",
         "x / y's partials divide by y + 1e-9 and y*y + 1e-9"),
    _bug("rules.py:DivSquareOverflow", "huge operands", "wrong-rule", ("div",), "x o y",
         "x = V(1e200); y = V(1e200); z = x / y; z.backward()",
         "d(x/y)/dy = -x / (y*y): y*y overflows for |y| > 1.3e154, the gradient becomes -0.0"),
    _bug("rules.py:AbsSlopeViaSqrt", "huge operands", "wrong-rule", ("abs",), "f(x)",
         "x = V(-1e200); y = abs(x); y.backward()",
         "abs' = x / sqrt(x*x): 0 for |x| > 1.3e154"),
    _bug("rules.py:SinTaylorRule", "taylor series", "wrong-rule", ("sin",), "f(x)",
         "x = V(2.0); y = x.sin(); y.backward()",
         "sin' = the Taylor series of cos to x**8: right near 0 only"),
    _bug("rules.py:RsubTimesConstant", "number on the left", "wrong-rule", ("sub",), "c o x",
         "x = V(0.5); y = 3.0 - x; y.backward()",
         "d(c - x)/dx = -c (copied from __rmul__): right only for c = 1"),
    _bug("rules.py:RdivDropsConstant", "number on the left", "wrong-rule", ("div",), "c o x",
         "x = V(2.0); y = 3.0 / x; y.backward()",
         "d(c / x)/dx = -1 / x**2: the constant c is dropped"),
    _bug("rules.py:RpowLikeExp", "number on the left", "wrong-rule", ("pow",), "c o x",
         "x = V(1.5); y = 2.0 ** x; y.backward()",
         "d(c ** x)/dx = c ** x: log(c) missing, right only for c = e"),
    _bug("rules.py:RpowPowerRule", "number on the left", "wrong-rule", ("pow",), "c o x",
         "x = V(1.5); y = 2.0 ** x; y.backward()",
         "d(c ** x)/dx = x * c ** (x-1): the power rule, as if x were the base"),
    _bug("rules.py:SinRuleRoundedPi", "1e-12", "wrong-rule", ("sin",), "f(x)",
         "x = V(1.57); y = x.sin(); y.backward()",
         "sin' = sin(x + 1.5707963267949): pi/2 to 13 decimals, 4e-12 relative at x = 1.57"),
    _bug("rules.py:ExpRuleRoundedE", "1e-12", "wrong-rule", ("exp",), "f(x)",
         "x = V(30.0); y = x.exp(); y.backward()",
         "exp' = 2.718281828459 ** x: e to 12 decimals, 5e-13 relative at x = 30"),
    _bug("rules.py:RpowLnRounded", "1e-12", "wrong-rule", ("pow",), "c o x",
         "x = V(1.5); y = 2.0 ** x; y.backward()",
         "d(c ** x)/dx = c ** x * log10(c) * 2.302585093 (ln 10 to 9 decimals): 2.6e-12 relative"),
    _bug("rules.py:PowNoExponentGrad", "exponent gradient", "wrong-rule", ("pow",), "x o y",
         "x = V(2.0); y = V(3.0); z = x ** y; z.backward()",
         "x ** y with a Value y: y gets no gradient"),
    _bug("rules.py:RpowLeaf", "exponent gradient", "wrong-rule", ("pow",), "c o x",
         "x = V(1.5); y = 2.0 ** x; y.backward()",
         "2 ** x returns a new leaf: x gets no gradient"),
    _bug("rules.py:AbsMutates", "mutation", "wrong-rule", ("abs",), "f(x)",
         "x = V(-2.0); y = abs(x); y.backward()",
         "abs(x) sets x.data = |x.data| and returns x itself: abs' is 1 and x changes"),
    _bug("rules.py:ReluCut", "graph cut", "wrong-rule", ("relu",), "graph",
         "x = V(2.0); y = (x * 3.0).relu(); y.backward()",
         "relu's output records no parents: backward stops there, what feeds the relu gets nothing"),
    _bug("rules.py:TanhAndSqrt", "two bugs", "wrong-rule", ("tanh", "sqrt"), "graph",
         "x = V(4.0); y = x.tanh() + x.sqrt(); y.backward()",
         "tanh' = 0 for |x| > 3, and sqrt' = 0.5 * x ** 0.5"),
    # ---- graphs.py: the same object on both sides ----
    _bug("graphs.py:MulOverwritesOther", "same object", "lost-contribution", ("mul",), "x o x",
         "x = V(3.0); y = x * x; y.backward()",
         "mul adds to self.grad but assigns other.grad: x * x keeps one contribution"),
    _bug("graphs.py:DictGradsMul", "same object", "lost-contribution", ("mul",), "x o x",
         "x = V(3.0); y = x * x; y.backward()",
         "mul's partials in a dict keyed by operand: x * x's keys collide"),
    _bug("graphs.py:DictGradsSub", "same object", "lost-contribution", ("sub",), "x o x",
         "x = V(3.0); y = x - x; y.backward()",
         "sub's partials in a dict keyed by operand: x - x gives -1, not 0"),
    _bug("graphs.py:DictGradsDiv", "same object", "lost-contribution", ("div",), "x o x",
         "x = V(3.0); y = x / x; y.backward()",
         "div's partials in a dict keyed by operand: x / x gives -1/x, not 0"),
    # ---- graphs.py: fan-out ----
    _bug("graphs.py:PowOverwrites", "fan-out 2", "lost-contribution", EVERY_POWER[:2], "graph",
         "x = V(3.0); y = x ** 2 + x; y.backward()",
         "x ** k's backward uses = instead of +="),
    _bug("graphs.py:ReluOverwrites", "fan-out 2", "lost-contribution", ("relu",), "graph",
         "x = V(3.0); y = x.relu() + x; y.backward()",
         "relu's backward uses = instead of +="),
    _bug("graphs.py:MulOverwrites", "fan-out 2", "lost-contribution", ("mul",), "graph",
         "x = V(3.0); y = x * 2.0 + x; y.backward()",
         "mul's backward uses = instead of += for both operands"),
    _bug("graphs.py:PairSlots", "fan-out 3", "lost-contribution", (), "graph",
         "x = V(2.0); y = x * x + x; y.backward()",
         "a node keeps its first and latest incoming gradient: middle ones lost from 3 consumers on"),
    _bug("graphs.py:SharedFlag", "fan-out 3", "lost-contribution", (), "graph",
         "x = V(2.0); n = x * 3.0; y = n * 2.0 + (n + n); y.backward()",
         "uses counted as 1 or 2: a node with 3 consumers passes its gradient on after 2"),
    # ---- graphs.py: traversal order ----
    _bug("graphs.py:BreadthFirst", "traversal", "traversal", (), "graph", SHARED_DIAMOND,
         "backward visits nodes breadth-first from the output"),
    _bug("graphs.py:PreOrder", "traversal", "traversal", (), "graph", SHARED_DIAMOND,
         "backward in depth-first pre-order, right for trees only"),
    _bug("graphs.py:TopoNoVisited", "traversal", "traversal", (), "graph", REUSED_TWICE,
         "build_topo without a visited set: a shared node's _backward runs once per path"),
    _bug("graphs.py:RecursiveBackward", "traversal", "traversal", (), "graph", REUSED_TWICE,
         "backward recurses into the children with no order: shared nodes pass partial gradients on"),
    _bug("graphs.py:EqualByData", "traversal", "traversal", (), "graph",
         "x = V(2.0); a = x * 2.0; b = x + 2.0; c = a * b; c.backward()",
         "__eq__/__hash__ by .data: the visited set skips a second node with an equal value"),
    # ---- graphs.py: deep graphs ----
    _bug("graphs.py:DepthCappedTopo", "deep graph", "traversal", (), "graph", CHAIN_1500,
         "the topological sort stops 1,000 levels below the output: deeper inputs get 0"),
    _bug("graphs.py:LastNodesOnly", "deep graph", "traversal", (), "graph", CHAIN_12000,
         "backward walks only the 10,000 nodes nearest the output"),
    # ---- graphs.py: sometimes ----
    _bug("graphs.py:SetOrderMul", "sometimes", "wrong-rule", ("mul",), "x o y",
         "x = V(2.0); y = V(3.0); z = x * y; z.backward()",
         "mul's children in a set zipped with its partials: swapped when the set's id order is"),
    # ---- crashes.py ----
    _bug("crashes.py:TanhNameError", "crash", "crash", ("tanh",), "f(x)",
         "x = V(0.5); y = x.tanh(); y.backward()",
         "tanh's forward uses math without the import: NameError"),
    _bug("crashes.py:ExpNameError", "crash", "crash", ("exp",), "f(x)",
         "x = V(0.5); y = x.exp(); y.backward()",
         "exp's forward uses math without the import: NameError"),
    _bug("crashes.py:SigmoidBackwardNameError", "crash", "crash", ("sigmoid",), "f(x)",
         "x = V(0.5); y = x.sigmoid(); y.backward()",
         "sigmoid's backward closure uses an undefined name: NameError in backward only"),
    _bug("crashes.py:SinBackwardTypeError", "crash", "crash", ("sin",), "f(x)",
         "x = V(0.5); y = x.sin(); y.backward()",
         "sin's backward calls cos(self) on the Value: TypeError in backward only"),
    _bug("crashes.py:AbsSignByDivision", "crash", "crash", ("abs",), "f(x)",
         "x = V(0.0); y = abs(x); y.backward()",
         "abs' = x / |x|: ZeroDivisionError in backward at x = 0"),
    _bug("crashes.py:MulPartialFromOutput", "crash", "crash", ("mul",), "x o y",
         "x = V(0.0); y = V(3.0); z = x * y; z.backward()",
         "d(xy)/dx = out / x: ZeroDivisionError in backward when an operand is 0"),
    # ---- overflow.py ----
    _fragile("overflow.py:LectureTanh", "overflow", "crash", ("tanh",), "f(x)",
         "x = V(400.0); y = x.tanh(); y.backward()",
         "tanh = (e^2x - 1)/(e^2x + 1): OverflowError from x ~ 355"),
    _fragile("overflow.py:NaiveSigmoid", "overflow", "crash", ("sigmoid",), "f(x)",
         "x = V(-800.0); y = x.sigmoid(); y.backward()",
         "sigmoid = 1/(1 + e^-x): OverflowError from x ~ -710"),
    _fragile("overflow.py:SigmoidRuleOverflow", "overflow", "crash", ("sigmoid",), "f(x)",
         "x = V(-400.0); y = x.sigmoid(); y.backward()",
         "sigmoid' = e^-x / (1 + e^-x)**2: OverflowError in backward from x ~ -355"),
    # ---- fragile.py ----
    _fragile("fragile.py:KarpathyDivision", "overflow", "non-finite", ("div",), "x o y",
             "x = V(1.3e-300); y = V(-1.3e-300); z = x / y; z.backward()",
             "x / y as x * y**-1 with a guarded power rule: y**-2 overflows to inf at 1e-300"),
    Entry("fragile.py:PowNumbersOnly", "unsupported layout", "none", (), "x o y", README_SNIPPET, 0,
          "** takes only number exponents: UnboundLocalError for a Value (not supported, not a crash)"),
    # ---- composite.py ----
    Entry("composite.py:Composed", "composite", "none", (), "graph", README_SNIPPET, 0,
          "div, sub, neg, tanh, sigmoid built from its own mul, add, pow, exp, all correct"),
    _bug("composite.py:ComposedAbsMul", "composite", "wrong-rule", ("mul",), "x o y",
         "x = V(0.43); y = V(-0.43); z = x * y; z.backward()",
         "mul's left-operand rule uses |y|; div, sub, neg and sigmoid are built on mul and follow from it"),
    # ---- inplace.py ----
    _bug("inplace.py:InPlaceAdd", "mutation", "in-place", ("add",), "graph",
         "x = V(0.43); y = x * 3.7; y += x; y.backward()",
         "c += x changes c's .data in place (no new node): x loses that gradient"),
    # ---- accumulation.py ----
    _bug("accumulation.py:ZeroesGrads", "several backward()", "accumulation", (), "graph",
         "x = V(0.43); f = x * 3.7; f.backward(); y = x * 2.5; y.backward()",
         "backward() zeroes every grad of its graph first: a leaf's gradient from an earlier call is lost"),
    _bug("accumulation.py:VisitedOnClass", "several backward()", "accumulation", (), "graph",
         "x = V(0.43); f = x * 3.7; f.backward(); y = f * 2.5; y.backward()",
         "the topological sort's visited set is on the class, never cleared: y stops at f"),
    _bug("accumulation.py:TapeClearedAfterBackward", "several backward()", "accumulation", (), "graph",
         "x = V(0.43); f = x * 3.7; y = x * 2.5; f.backward(); y.backward()",
         "a global tape cleared by each backward(): y, built before f.backward(), has no tape left"),
    _bug("accumulation.py:TotalKept", "several backward()", "accumulation", (), "graph",
         "w = V(0.43); b = V(-1.3); y = w * 1.7 + b; loss = y * w; loss.backward(); "
         "w.data -= 0.1 * w.grad; b.data -= 0.1 * b.grad; w.grad = 0; b.grad = 0; "
         "y = w * 1.7 + b; loss = y * w; loss.backward()",
         "backward() writes .grad from a running total on the node, which p.grad = 0 does not reset"),
    # ---- unseeded.py ----
    _bug("unseeded.py:UnseededLeakyRelu", "forward", "forward", ("relu",), "f(x)",
         "x = V(-2.0); y = x.relu(); y.backward()",
         "backward() never seeds the output's gradient (one finding) and relu's forward is leaky"),
    # ---- forward.py ----
    _bug("forward.py:LeakyForwardRelu", "forward", "forward", ("relu",), "f(x)",
         "x = V(-2.0); y = x.relu(); y.backward()",
         "relu's forward is 0.01 * x for x < 0, its backward relu's"),
    _bug("forward.py:LogEpsilonForward", "forward", "forward", ("log",), "f(x)",
         "x = V(1e-10); y = x.log(); y.backward()",
         "log's forward is log(x + 1e-10)"),
    _bug("forward.py:AbsViaSquareRoot", "forward", "forward", ("abs",), "f(x)",
         "x = V(1e200); y = abs(x); y.backward()",
         "abs(x) = sqrt(x*x): inf for |x| > 1.3e154, 0 for |x| < 1.5e-162"),
    _bug("forward.py:CosTaylorForward", "forward", "forward", ("cos",), "f(x)",
         "x = V(3.0); y = x.cos(); y.backward()",
         "cos's forward is its Taylor series to x**8: right near 0 only"),
    # ---- unreadable.py ----
    _bug("unreadable.py:NoneWhenZero", "unreadable", "unreadable", (), "f(x)",
         "x = V(-1.0); y = x.relu(); y.backward()",
         "after backward, every gradient equal to 0 is set to None"),
    _bug("unreadable.py:GradAsText", "unreadable", "unreadable", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "backward ends with grad = f'{grad:.4f}': every .grad is a str"),
    _bug("unreadable.py:ComplexSqrtGrad", "unreadable", "unreadable", ("sqrt",), "f(x)",
         "x = V(4.0); y = x.sqrt(); y.backward()",
         "sqrt's rule uses cmath.sqrt: gradients through a sqrt are complex"),
    # ---- hangs.py ----
    _bug("hangs.py:SpinLockOps", "hang", "hang",
         ("mul", "div", *EVERY_POWER, "exp", "tanh", "relu"), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "*, /, **, exp, tanh and relu spin forever on a hand-made lock; +, - work"),
    Entry("hangs.py:AnimatedBackward", "hang", "none", (), "graph", README_SNIPPET, 0,
          "correct, but every backward() sleeps 2.5 s: slow, not hung, not wrong"),
    # ---- unusable.py ----
    _bug("unusable.py:NoBackward", "unusable", "unusable", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "the pass is called backprop(): there is no backward()", expected_exit=2),
    _bug("unusable.py:BackwardNeedsSeed", "unusable", "unusable", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "backward(grad) requires the output's gradient as an argument", expected_exit=2),
    _bug("unusable.py:LeafNeedsLabel", "unusable", "unusable", (), "f(x)",
         "x = V(2.0)",
         "the constructor needs two arguments, Value(data, label)", expected_exit=2),
    # ---- hostile ----
    _bug("hostile.py:AllocatesWorkspace", "hostile", "hostile", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "every backward() zero-fills a 2 GiB buffer: a memory-capped sandbox sees MemoryError"),
    _bug("hostile.py:ForksRenderer", "hostile", "hostile", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "correct, but every backward() forks a child that sleeps 40 s holding inherited fds",
         expected_exit=0),
    _bug("hostile.py:ForgedVerdict", "hostile", "hostile", ("mul",), "x o y",
         "x = V(2.0); y = V(3.0); z = x * y; z.backward()",
         "prints 'no fault found' and PASS lines on stdout and stderr; its mul is wrong"),
    _bug("hostile_flood.py:FloodsStderr", "hostile", "hostile", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "correct, but importing it writes 300 MiB to stderr", expected_exit=0),
    _bug("hostile_fork.py:ForksAtImport", "hostile", "hostile", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "correct, but importing it forks a child that sleeps 40 s", expected_exit=0),
    _bug("hostile_patch.py:PatchesVerifier", "hostile", "hostile", (), "x o c",
         "x = V(2.0); y = x * 3.0; y.backward()",
         "doubles every gradient, and at import wraps any loaded verify module's run() to halve them"),
    # ---- bare.py ----
    _bug("bare.py:BareValue", "bare protocol", "wrong-rule", ("mul",), "x o y",
         "x = V(2.0); y = V(3.0); z = x * y; z.backward()",
         "only Value + Value and Value * Value exist; mul gives each operand its own value"),
    # ---- packaging ----
    _bug("learner_pkg/micrograd/engine.py:Value", "packaging", "wrong-rule", ("exp",), "f(x)",
         "x = V(2.0); y = x.exp(); y.backward()",
         "a package named micrograd importing itself absolutely (micrograd.topo); exp' = x * grad"),
    _bug("005_x-y_revgrad.py:Value", "packaging", "wrong-rule", ("div",), "x o y",
         "x = V(6.0); y = V(3.0); z = x / y; z.backward()",
         "a file name that is no module name; d(x/y)/dy = -x / y, the square lost"),
    _bug("relpkg/engine.py:Value", "packaging", "wrong-rule", ("sqrt",), "f(x)",
         "x = V(4.0); y = x.sqrt(); y.backward()",
         "a package whose engine imports its rules relatively; sqrt' = 0.5 * x ** 0.5"),
    # ---- zeros.py ----
    _bug("zeros.py:PowRuleFromOutput", "exact zero", "crash", ("powi", "powc"), "x o c",
         "x = V(0.0); y = x ** 3; y.backward()",
         "d(x**k)/dx = k * out / x: ZeroDivisionError in backward at x = 0, where the derivative is 0"),
    _bug("zeros.py:DivRuleFromOutput", "exact zero", "non-finite", ("div",), "x o y",
         "x = V(0.0); y = V(2.0); z = x / y; z.backward()",
         "d(x/y)/dx = out / x through a division that never raises: nan at a zero numerator"),
    _bug("zeros.py:MulSkipsZeroFactor", "exact zero", "wrong-rule", ("mul",), "x o y",
         "x = V(2.0); y = V(0.0); z = x * y; z.backward()",
         "mul's closure returns early when a factor is 0: y.grad stays 0 where it is x"),
    # ---- valuegrads.py ----
    Entry("valuegrads.py:GradValues", "value grads", "none", (), "graph", README_SNIPPET, 0,
          "every .grad is a Value of the engine (backward() seeds a Value), its .data the gradient"),
    _bug("valuegrads.py:GradValuesSigmoidSign", "forward", "forward", ("sigmoid",), "f(x)",
         "x = V(1.0); y = x.sigmoid(); y.backward()",
         "gradients are Values; sigmoid's forward is 1 / (1 + exp(x)), its rule s * (1 - s) right"),
    _bug("valuegrads.py:NoneGradsLeakyRelu", "forward", "forward", ("relu",), "f(x)",
         "x = V(-2.0); y = x.relu(); y.backward()",
         "a gradient that stayed 0 is None; relu's forward is 0.01 * x for x < 0, where that gradient is"),
    # ---- correct engines ----
    _correct("base.py:Value", "closures in karpathy's style, numbers kept as floats, an iterative sort"),
    _correct("localgrads.py:Value", "microgpt's style: __slots__, children and local gradients stored"),
    _correct("tape.py:Value", "a global tape walked backwards; relu'(0) = 0.5; tanh' = 1/cosh(x)**2"),
    _correct("opcodes.py:Value", "op codes and one if/elif backward; relu'(0) = 1; sigmoid' = s(x) * s(-x)"),
    _correct("numpy_scalars.py:Value", "closures over NumPy float64 scalars and ufuncs"),
    _correct("constants.py:Value", "karpathy's micrograd: numbers wrapped as leaves, x / y as x * y**-1"),
    _correct("altrules.py:Value", "autograd.Function classes; x ** y as exp(y log x); tanh' recomputed"),
)

BY_SPEC = {entry.spec: entry for entry in ENTRIES}
