"""A class that exists only in memory (a notebook cell's, a REPL's, a script read from stdin) is audited
by a worker forked from the caller, with the same isolation as a loaded file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from engines.in_memory import CORRECT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

ENGINE = CORRECT

DRIVE = textwrap.dedent('''
    import os
    from verify.audit.engine.sandbox import EngineProcess
    from verify.audit.engine.spec import EngineSpec
    from verify.program import Program, Step

    with EngineProcess(EngineSpec.of_class(Value), 10.0) as engine:
        print(engine.ready.loaded_as, engine.ready.module, engine.class_name)
        answer = engine.run(Program((("x", 3.0),), (Step("mul", (0, 0)), Step("add", (1, 0)))))
        print(answer.stage, answer.data, answer.grad)
        print(engine._worker.process.pid != os.getpid())
''')


def _script(body: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-"], input=body, capture_output=True, text=True, timeout=120,
                          cwd=root)


def test_a_class_from_a_script_read_on_stdin_runs_in_a_forked_worker() -> None:
    done = _script(ENGINE + DRIVE)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == ["object __main__ Value", "done (3.0, 9.0, 12.0) (7.0, 1.0, 1.0)", "True"]


def test_what_the_in_memory_engine_prints_is_kept_apart() -> None:
    noisy = ENGINE.replace("def backward(self):", "def backward(self):\n        print('NO FAULT FOUND')", 1)
    done = _script(noisy + DRIVE)
    assert done.returncode == 0, done.stderr
    assert "NO FAULT FOUND" not in done.stdout + done.stderr


def test_a_hanging_in_memory_engine_is_a_hang_and_leaves_nothing_behind() -> None:
    hangs = ENGINE.replace("def backward(self):", "def backward(self):\n        while True: pass", 1)
    body = hangs + textwrap.dedent('''
        from verify.audit.engine.sandbox import EngineFailed, EngineProcess
        from verify.audit.engine.spec import EngineSpec
        from verify.program import Program, Step

        with EngineProcess(EngineSpec.of_class(Value), 1.0) as engine:
            try:
                engine.run(Program((("x", 3.0),), (Step("mul", (0, 0)),)))
            except EngineFailed as failure:
                print(failure.kind)
            pid = engine._worker
        print(pid is None)
    ''')
    done = _script(body)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["hang", "True"]
