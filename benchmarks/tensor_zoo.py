"""Audit every engine of the tensor zoo and print, per engine: dialect, verdict, culprit op, axis or
pattern, shapes, steps, seconds; then one checked 8x8 @ 8x8 matmul.

    PYTHONPATH=. python benchmarks/tensor_zoo.py

Targets: every planted bug found and blamed on its op, 0 findings on the correct engines, a default
audit of a correct engine in <= 60 s, the 8x8 matmul checked in <= 1 s.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verify.tensor.audit import audit_tensor  # noqa: E402
from verify.tensor.check import check  # noqa: E402
from verify.tensor.program import build  # noqa: E402
from verify.tensor.runner import ask  # noqa: E402

ZOO = ROOT / "tests" / "engines" / "tensor"
EXPECTED = {
    "numpy_ref": "", "numpy_alt": "", "torch_ref": "", "scalar_ref": "", "float32": "",
    "minitorch_like/tensor_functions": "", "minitorch_like/planted_permute": "permute",
    "planted_broadcast": "add", "planted_sum_axis": "sum", "planted_mean_axis": "mean",
    "planted_matmul": "matmul", "planted_permute": "permute", "planted_reshape": "reshape",
    "planted_max_ties": "max", "planted_alias": "add", "planted_softmax": "softmax",
    "planted_log_softmax": "log_softmax", "planted_torch_sum": "sum", "scalar_planted": "div",
    "planted_forward": "mean", "float32_alt": "", "float32_planted": "log",
}
"""The op each engine's bug must be blamed on ("" for a correct engine)."""


def class_of(path: Path) -> str:
    if path.parent.name == "minitorch_like":
        return "tensor"  # minitorch's factory
    return "Scalar" if path.stem.startswith("scalar") else "Tensor"


def main() -> int:
    header = f"{'engine':32} {'dialect':9} {'verdict':8} {'culprit':12} {'axis / pattern':34} " \
             f"{'shapes':22} {'steps':>5} {'seconds':>7}  ok"
    print(header)
    print("-" * len(header))
    bad = 0
    steps, dims = [], []
    for name, want in EXPECTED.items():
        path = ZOO / f"{name}.py"
        if not path.exists():
            continue
        result = audit_tensor(f"{path}:{class_of(path)}")
        first = result.failures[0] if result.failures else None
        culprit = first.finding.op if first else ""
        pattern = first.finding.pattern if first else ""
        shapes = ", ".join(str(s) for s in first.finding.shapes) if first else ""
        ok = culprit == want and (want or result.seconds <= 60)
        bad += not ok
        if first:
            steps.append(first.steps)
            dims.append(first.largest_dim)
        print(f"{name:32} {result.dialect:9} {result.verdict:8} {culprit or '-':12} {pattern[:34] or '-':34} "
              f"{shapes[:22] or '-':22} {first.steps if first else 0:>5} {result.seconds:>7.1f}  "
              f"{'yes' if ok else 'NO'}")
    if steps:
        print(f"\nmedian minimal program: {statistics.median(steps):g} ops, largest dimension "
              f"{max(dims)} (targets <= 2 and <= 3)")
    rng = random.Random(8)
    program = build({"a": ((8, 8), [rng.uniform(-2, 2) for _ in range(64)]),
                     "b": ((8, 8), [rng.uniform(-2, 2) for _ in range(64)]),
                     "w": ((8, 8), [rng.uniform(-2, 2) for _ in range(64)])},
                    [("matmul", [0, 1], {}), ("mul", [3, 2], {}), ("sum", [4], {})])
    [run] = ask(str(ZOO / "numpy_ref.py"), "Tensor", [program], "numpy").runs
    started = time.perf_counter()
    checked = check(program, run)
    seconds = time.perf_counter() - started
    print(f"one checked 8x8 @ 8x8 matmul: {seconds:.3f} s, {len(checked.faults)} faults (target <= 1 s)")
    bad += seconds > 1 or bool(checked.faults)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
