"""Size limits on parser input: they keep parsing fast and in bounded memory, whatever the text."""

MAX_CHARS = 100_000  # characters of input text
MAX_BRACKETS = 100  # nesting of ( [ { in the raw text
MAX_DEPTH = 200  # depth of the syntax tree
MAX_NODES = 20_000  # syntax tree nodes, and so also program steps
MAX_EXPONENT = 1024  # |k| in x ** k for a constant k
MAX_INT_BITS = 1100  # integer constants beyond this cannot become floats anyway
