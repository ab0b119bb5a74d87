"""Audit tensor engines exactly: tensor programs lowered to scalar ones, judged op by op.

Importing this package loads neither numpy nor SymPy.
"""
