"""Hostile input to ``python -m verify expr``: every payload gets exit 2, a clear message, and no side effect.

Each case runs in a fresh interpreter with a generous timeout, so a payload
that ran code, hung, or exhausted memory would show up as a failure here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 20  # seconds: a bound on runaway work, not a speed test


def run(args: list[str], stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "verify", "expr", *args], input=stdin, cwd=cwd, env=env,
                          capture_output=True, timeout=TIMEOUT, check=False)


# {marker} is a file that the payload would create if it ever ran.
INJECTIONS = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w')",
    "exec(\"open('{marker}', 'w')\")",
    "eval(\"open('{marker}', 'w')\")",
    "x.__class__.__init__.__globals__['os'].system('touch {marker}')",
    "().__class__.__base__.__subclasses__()",
    "x.__dict__",
    "(lambda: open('{marker}', 'w'))()",
    "[open('{marker}', 'w') for _ in (1,)][0] * x",
    "{{open('{marker}', 'w')}}",
    "f\"{{open('{marker}', 'w')}}\"",
    "x if open('{marker}', 'w') else x",
    "(y := open('{marker}', 'w'))",
    "x.tanh.__call__()",
    "getattr(x, 'tanh')()",
    "breakpoint()",
    "globals()['x']",
]

SNIPPETS = [
    "import os\nos.system('touch {marker}')\n",
    "from os import system\nsystem('touch {marker}')\n",
    "from micrograd import Value\nx = Value(1.0)\nprint(open('{marker}', 'w'))\n",
    "from micrograd import Value\nx = Value(1.0)\nprint(f\"{{open('{marker}', 'w')}}\")\n",
    "from micrograd import Value\nx = Value(1.0)\nprint(f\"{{x:{{open('{marker}', 'w')}}}}\")\n",
    "from micrograd import Value\nx = Value(1.0)\nprint(x, file=open('{marker}', 'w'))\n",
    "x = Value(1.0)\ndef f():\n    open('{marker}', 'w')\ny = x * 2\n",
    "x = Value(1.0)\nclass A:\n    open('{marker}', 'w')\n",
    "x = Value(1.0)\nwith open('{marker}', 'w'): pass\n",
    "x = Value(1.0)\ny = x * 2\ny.backward(); open('{marker}', 'w')\n",
    "x = Value(1.0)\n@open('{marker}', 'w')\ndef f(): pass\n",
    "x = Value(1.0)\ny = x.__class__(2.0)\n",
    "x = Value(1.0)\nx.data = 5\n",
    "x = Value(1.0)\ny = x * 2\ny.backward = open\n",
    "x = Value(1.0)\nimport micrograd\n",
]


@pytest.mark.parametrize("payload", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_in_a_formula(payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    result = run([payload.format(marker=marker), "--at", "x=1"], cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(b"error: ")
    assert b"Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.parametrize("payload", SNIPPETS, ids=range(len(SNIPPETS)))
def test_injection_in_a_snippet(payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    result = run(["-"], stdin=payload.format(marker=marker).encode(), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(b"error: ")
    assert b"Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("9**9**9**9 * x", b"too large"),
        ("x ** 9**9**9", b"too large"),
        ("x ** 10**6", b"too large"),
        ("2.0 ** 99999 * x", b"too large"),
        ("x * " + "9" * 5000, b"error"),
        ("(" * 1000 + "x" + ")" * 1000, b"deep"),
        ("-" * 50_000 + "x", b"deep"),
        ("x" + "+x" * 20_000, b"operators"),
        ("x.tanh()" + ".tanh()" * 5000, b"deep"),
    ],
    ids=["power-tower", "exponent-tower", "exponent-million", "float-overflow", "long-literal",
         "parentheses", "unary-chain", "long-sum", "method-chain"],
)
def test_resource_bombs_in_a_formula(payload: str, words: bytes) -> None:
    result = run(["--at", "x=1", "--", payload])
    assert result.returncode == 2
    assert words in result.stderr


def test_hundred_thousand_nested_parentheses_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.txt"
    path.write_text("(" * 100_000 + "x" + ")" * 100_000)
    result = run(["--file", str(path), "--at", "x=1"])
    assert result.returncode == 2
    assert b"limit" in result.stderr


def test_ten_megabytes_from_stdin() -> None:
    result = run(["-", "--at", "x=1"], stdin=b"x + " * (10 * 2**20 // 4) + b"x")
    assert result.returncode == 2
    assert b"larger than" in result.stderr


def test_ten_megabytes_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_bytes(b"x = Value(1.0)\n" + b"x = x * 2\n" * (2**20))
    result = run(["--file", str(path)])
    assert result.returncode == 2
    assert b"larger than" in result.stderr


@pytest.mark.parametrize("data", [b"x\x00 + 1", b"\xff\xfe x", b"x = '''unterminated"])
def test_binary_and_broken_text(data: bytes) -> None:
    result = run(["-", "--at", "x=1"], stdin=data)
    assert result.returncode == 2
    assert result.stderr.startswith(b"error: ")
