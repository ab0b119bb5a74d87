"""The judge: weigh what an engine computed against the exact witnesses, and blame a step.

``verdict.check_run`` is the whole decision; ``floats`` models what a float64
engine can compute (intervals rounded as IEEE does); ``allowance`` gives,
for one node at the engine's own operands, every value and partial a
correct engine may produce; ``local`` checks every node against them and
carries the end-to-end envelopes; ``blame`` turns an adjoint that is off into
a fault naming the step responsible.
"""
