"""The exact witnesses: what a correct engine's numbers would be, independent of any engine.

``ns`` reads the op table's ``math`` as SymPy or mpmath; ``partials`` turns a
row into exact local derivatives; ``exact`` mirrors a program and accumulates
adjoints in mpmath; ``fd`` is the high-precision finite difference; ``formula``
prints a small exact gradient; ``span`` holds the intervals of derivatives
allowed at a kink. Nothing here imports an engine.
"""
