"""Size limits on parser input: they keep parsing fast and in bounded memory, whatever the text.

Measured on CPython 3.10 to 3.13: ``ast.parse`` builds its tree recursively,
once per operator of a flat chain such as ``x + x + ... + x``, and gives up
("maximum recursion depth exceeded during ast construction") near 3,000
operators on 3.12 (about 3 per level of Python recursion left on 3.11, 10,000
on 3.13; 3.10 has no check at all). Every operator makes at least two syntax
nodes (``BinOp`` and its operator), so ``MAX_NODES`` also bounds the operators
``ast.parse`` is ever given to ``MAX_NODES // 2`` (checked on the tokens,
before it runs): 2,500 levels at most, well inside what each version takes.
"""

MAX_CHARS = 100_000  # characters of input text (a UTF-8 file may have up to 4 bytes per character)
MAX_BRACKETS = 100  # nesting of ( [ { in the raw text
MAX_DEPTH = 200  # nesting of the syntax tree; a flat chain a + b + c or a * b * c is one level
MAX_NODES = 5_000  # syntax tree nodes (a flat sum of 1,249 names), and so also program steps
MAX_EXPONENT = 1024  # |k| in x ** k for a constant k
MAX_INT_BITS = 1100  # integer constants beyond this cannot become floats anyway
MAX_OPERATORS = MAX_NODES // 2  # operators, attribute dots and calls, counted on the tokens before ast.parse
