"""The example from micrograd's README: audit it with `python -m verify expr --file examples/seed.py`."""

from micrograd import Value

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
g.backward()
print(f'{g.data:.4f}')  # 24.7041, the outcome of the forward pass
print(f'{a.grad:.4f}')  # 138.8338, i.e. the numerical value of dg/da
print(f'{b.grad:.4f}')  # 645.5773, i.e. the numerical value of dg/db
