"""The exact witnesses: what a correct engine's numbers would be, independent of any engine.

``ball`` is the certified arithmetic (python-flint's arb) and the op table's
math on balls; ``ns`` reads the same ``math`` as SymPy or mpmath;
``calculus`` turns a row into exact local derivatives (SymPy, compiled to
balls); ``exact`` mirrors a program and accumulates adjoints on balls;
``fd`` is the finite-difference witness; ``formula`` prints a small exact
gradient, for reading only. Nothing here imports an engine.
"""
