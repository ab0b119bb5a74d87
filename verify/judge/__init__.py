"""The judge: weigh what an engine computed against the exact witnesses, and blame an op.

``verdict.check_run`` is the whole decision; ``local`` checks every node on its
own operands, allowing the rounding a correct float64 engine may do; ``blame``
turns an adjoint that is off into a fault naming the op responsible.
"""
