"""The audit's words, each defined once: layouts, finding kinds, stages, phases, how an engine loaded.

Every other module, the worker included, takes these names from here, and
each tuple is read off its ``Literal`` with ``typing.get_args``, so a word is
added in one place. Stdlib only: the worker imports this.
"""

from __future__ import annotations

from typing import Literal, get_args

Layout = Literal["f(x)", "x o y", "x o c", "c o x", "x o x"]
"""How one op's operands are laid out: a unary op, two Values, a number on the right or on the
left, the same object on both sides."""
LAYOUTS: tuple[Layout, ...] = get_args(Layout)

Where = Literal[Layout, "graph", "leaf"]
"""Where a finding shows: a layout, "graph" (only in a graph: shared nodes, depth, order) or
"leaf" (making an input)."""
TITLES: dict[Where, str] = {"f(x)": "f(x)", "x o y": "x∘y", "x o c": "x∘c", "c o x": "c∘x", "x o x": "x∘x",
                            "graph": "graph", "leaf": "leaf"}
"""How a layout is shown to people (coverage tables, a finding's title)."""

Kind = Literal[
    "wrong-rule",         # an op's local derivative is wrong (shown by the op alone, or only in a graph)
    "lost-contribution",  # a reused node's contributions are not all summed (= instead of +=, x * x)
    "traversal",          # every op is right alone, but backward visits the graph in a wrong order
    "crash",              # an op (or backward) raised where the function and its gradient are finite
    "forward",            # an op's value is wrong
    "unreadable",         # .grad or .data is not a real number (None, str, complex)
    "non-finite",         # nan or inf where a correct engine gives a finite number
    "seed",               # the output's own gradient is not 1
    "hang",               # the engine did not answer within the time limit
    "died",               # the engine's process died
    "memory",             # the engine used more memory than the audit allows
    "tampered",           # the engine changed the auditing code in its worker
    "gradient",           # a gradient is wrong and no step can be blamed
    "in-place",           # c += x (or -=, *=) changes the node in place, unlike c = c + x
    "accumulation",       # two backward() calls (or a training loop) do not add up the exact partials
    "lost-digits",        # a gradient that passed, but only as a lossy textbook rule gives it (a fragility)
]
"""The kinds of finding."""
KINDS: tuple[Kind, ...] = get_args(Kind)

RunStage = Literal["done", "forward", "backward"]
"""How far the worker says a run got: ``done`` (forward and backward returned), ``forward``
(building a slot raised), ``backward`` (``backward()`` raised)."""
Raised = Literal["leaf", "forward", "backward"]
"""Where the engine raised: making an input, a step, or ``backward()``."""
Stage = Literal["done", Raised, "hang", "died", "deadline"]
"""How far a run got, as the audit reads it: the worker's stages with a raise while making an
input told apart ("leaf"), and the runs that gave no answer: a hang, the worker's death, the
audit's deadline."""
STAGES: tuple[Stage, ...] = get_args(Stage)

FailureKind = Literal["hang", "crash", "memory", "tampered", "deadline"]
"""Why the worker gave no answer (``sandbox.EngineFailed.kind``):

- ``hang``: no answer within the request's time limit (the worker was killed and is restarted);
- ``crash``: the worker process died (exit code or signal in the message);
- ``memory``: the engine used more memory than the worker's limit (a ``MemoryError``, or the
  process died of it);
- ``tampered``: the engine modified the auditing code in its process (a module or function
  the worker uses was replaced, or the channel carried something the worker never sends);
  once seen, every later ``run`` request fails this way: its numbers cannot be trusted;
- ``deadline``: the audit's overall deadline passed before or during the request.
"""

Phase = Literal["survey", "battery", "shapes", "random"]
"""Which part of the audit found a finding."""

LoadedAs = Literal["module", "import", "path", "package-path", "notebook", "object"]
"""How the engine's module is loaded, in the worker and in a reproduction snippet
(``spec.LoadPlan.how``; the spec module says what each means)."""
LOADED_AS: tuple[LoadedAs, ...] = get_args(LoadedAs)
