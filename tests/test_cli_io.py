"""``python -m verify expr`` at the edges of its input and output, and its exit code for every verdict.

Every I/O failure is exit 2 with one line on stderr naming what could not be
read or written; a reader that stops early (``| head``) ends the command
quietly with the verdict's own exit code. The shell cases run the commands of
issue 12 as a user types them (bash, a fresh interpreter); the rest run
in-process through ``verify.cli.expr.main``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import verify.judge.verdict
from verify.cli.expr import main

ROOT = Path(__file__).resolve().parent.parent
INCONCLUSIVE = ["(x + 1e200 - 1e200) * y", "--at", "x=1", "y=2"]  # the cancellation loses y's gradient


def shell(command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``command`` in bash, where "$PY" is this interpreter; ``$?`` of the verify command in ``rc``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PY": sys.executable}
    return subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, check=False)


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# ---- input ----

def test_closed_stdin_is_exit_2_naming_it() -> None:
    result = shell('"$PY" -m verify expr - <&-')
    assert result.returncode == 2
    assert one_line(result.stderr) == "error: cannot read standard input: it is closed"


def test_a_named_pipe_without_a_writer_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = shell(f'"$PY" -m verify expr --file {fifo}', timeout=20)
    assert result.returncode == 2
    assert "is a named pipe, not a regular file" in result.stderr.splitlines()[0]


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a character device"), (".", "a directory")])
def test_file_reads_only_regular_files(path: str, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--file", path]) == 2
    assert f"cannot read {path}: it is {kind}, not a regular file" in capsys.readouterr().err


def test_a_missing_file_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--file", "/no/such/file.py"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read /no/such/file.py: No such file or directory")


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_in_process_closed_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert main(["-", "--at", "x=1"]) == 2
    assert capsys.readouterr().err == "error: cannot read standard input: it is closed\n"


def test_a_byte_order_mark_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbffrom micrograd import Value\r\nx = Value(2.0)\r\ny = x * x\r\n")
    assert main(["--file", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("PASS  y = 4")


def test_the_limit_counts_characters_not_bytes(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from verify.parse import MAX_CHARS

    comment = "é" * (MAX_CHARS - 100)  # twice as many bytes as the limit, fewer characters
    stdin_of(monkeypatch, f"x * 2  # {comment}".encode())
    assert main(["-", "--at", "x=1"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    stdin_of(monkeypatch, ("x * 2  #" + "y" * MAX_CHARS).encode())
    assert main(["-", "--at", "x=1"]) == 2
    assert "larger than the limit of 100,000 characters" in capsys.readouterr().err


def test_a_lone_surrogate_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["x * \udcff", "--at", "x=1"]) == 2  # an undecodable byte 0xff in argv
    err = capsys.readouterr().err
    assert "lone surrogate U+DCFF" in err and "0xff" in err and "deep" not in err


def test_fullwidth_names_on_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["\uff58*2", "--at", "\uff58=1"]) == 0
    assert "PASS  f = 2" in capsys.readouterr().out


def test_output_never_renames_an_input(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str],
        valid_report: Callable[[object], dict[str, Any]]) -> None:
    stdin_of(monkeypatch, b"x = Value(2.0)\nx = x * x\n")
    assert main(["-", "--output", "x", "--json"]) == 0
    document = valid_report(json.loads(capsys.readouterr().out))
    assert [r["name"] for r in document["inputs"]] == ["x"] and document["output"] == "x_1"
    assert main(["x * x", "--at", "x=2", "--output", "x"]) == 2
    assert "name of its own" in capsys.readouterr().err


# ---- output ----

def test_closed_stdout_is_exit_2_naming_it() -> None:
    result = shell('"$PY" -m verify expr "x*x" --at x=1 >&-')
    assert result.returncode == 2
    assert one_line(result.stderr) == "error: cannot write standard output: it is closed"


@pytest.mark.parametrize("mode", [[], ["--json"], ["--explain"]])
def test_a_full_device_is_exit_2_naming_it(mode: list[str]) -> None:
    result = shell(f'"$PY" -m verify expr "x*x" --at x=1 {" ".join(mode)} > /dev/full')
    assert result.returncode == 2
    assert one_line(result.stderr) == "error: cannot write standard output: No space left on device"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ('"x * tanh(x)" --at x=0.5 --explain', 0),
        ('"x * tanh(x)" --at x=0.5 --json --explain', 0),
        ('"(x + 1e200 - 1e200) * y" --at x=1 y=2 --json', 2),
        ('"tahn(x)" --at x=1 --json', 2),
    ],
    ids=["explain", "json", "inconclusive", "refused"],
)
def test_a_reader_that_leaves_ends_it_quietly_with_the_verdicts_code(command: str, code: int) -> None:
    # `true` exits before the report is written, so the write meets a closed pipe every time.
    result = shell(f'"$PY" -m verify expr {command} | true; echo "rc=${{PIPESTATUS[0]}}"')
    assert result.stdout.strip() == f"rc={code}"
    if code == 0:
        assert result.stderr == ""  # nothing said: the reader chose to stop
    else:
        assert "Traceback" not in result.stderr and "Broken pipe" not in result.stderr


def test_head_users_see_no_traceback() -> None:
    result = shell('"$PY" -m verify expr "x * tanh(x)" --at x=0.5 --explain | head -c1; '
                   '"$PY" -m verify expr "x * tanh(x)" --at x=0.5 --json | head -n1')
    assert result.stdout == "f{\n" and result.stderr == ""


def test_help_to_a_closed_pipe_is_quiet() -> None:
    result = shell('"$PY" -m verify expr --help | true; echo "rc=${PIPESTATUS[0]}"')
    assert result.stdout == "rc=0\n" and result.stderr == ""


def test_dot_to_an_unwritable_place(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "g.dot"
    assert main(["x * x", "--at", "x=3", "--dot", str(path)]) == 2
    assert capsys.readouterr().err == f"error: cannot write {path}: No such file or directory\n"


class _Failing(io.StringIO):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


WRITE = "error: cannot write standard output: "


@pytest.mark.parametrize(("error", "code", "err"), [
    (BrokenPipeError(32, "Broken pipe"), 0, ""),
    (OSError(28, "No space left on device"), 2, WRITE + "No space left on device\n"),
    (OSError(5, "Input/output error"), 2, WRITE + "Input/output error\n"),
])
def test_write_failures_in_process(error: OSError, code: int, err: str, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdout", _Failing(error))
    assert main(["x * x", "--at", "x=3"]) == code
    assert capsys.readouterr().err == err


# ---- exit codes: one per verdict, and bad input ----

def test_pass_is_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["a*b + b**3", "--at", "a=-4", "b=2"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("PASS")


def test_fail_is_exit_1(plant_rule: Callable[..., None], capsys: pytest.CaptureFixture[str],
        valid_report: Callable[[object], dict[str, Any]]) -> None:
    plant_rule("mul", lambda out, x, y: (y, 2.0 * x))  # d(x*y)/dy doubled
    assert main(["a*b", "--at", "a=3", "b=5", "--json"]) == 1
    document = valid_report(json.loads(capsys.readouterr().out))
    assert (document["verdict"], document["exit_code"], document["faults"][0]["op"]) == ("fail", 1, "mul")


def test_inconclusive_is_exit_2(capsys: pytest.CaptureFixture[str],
        valid_report: Callable[[object], dict[str, Any]]) -> None:
    assert main(INCONCLUSIVE) == 2
    assert capsys.readouterr().out.splitlines()[-1].startswith("INCONCLUSIVE")
    assert main([*INCONCLUSIVE, "--json"]) == 2
    document = valid_report(json.loads(capsys.readouterr().out))
    assert (document["verdict"], document["ok"], document["exit_code"]) == ("inconclusive", False, 2)


def test_an_undefined_point_is_exit_2(capsys: pytest.CaptureFixture[str],
        valid_report: Callable[[object], dict[str, Any]]) -> None:
    assert main(["log(a)", "--at", "a=-1", "--json"]) == 2
    document = valid_report(json.loads(capsys.readouterr().out))
    assert (document["verdict"], document["exit_code"]) == ("undefined", 2)


def test_an_undefined_verdict_is_exit_2(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    # Our engine raises before the judge can say "undefined"; the mapping must hold all the same.
    real = verify.judge.verdict.check_run

    def undefined(*args: object, **kwargs: object) -> object:
        import dataclasses

        return dataclasses.replace(real(*args, **kwargs), verdict="undefined")  # type: ignore[arg-type]

    monkeypatch.setattr(verify.judge.verdict, "check_run", undefined)
    assert main(["x * x", "--at", "x=3"]) == 2
    assert capsys.readouterr().out.splitlines()[-1].startswith("UNDEFINED")


@pytest.mark.parametrize("argv", [["tahn(x)", "--at", "x=1"], ["x * y", "--at", "x=1"], ["--bogus"], []])
def test_bad_input_is_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_help_documents_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for words in ("0  pass", "1  fail", "2  inconclusive", "undefined", "bad", "cannot be read or written",
                  "stops early"):
        assert words in out


# ---- python -m verify itself ----

@pytest.mark.parametrize(("redirect", "code", "err"), [
    (">&-", 2, "error: cannot write standard output: it is closed\n"),
    ("> /dev/full", 2, "error: cannot write standard output: No space left on device\n"),
    ("| true", 0, ""),
])
def test_the_dispatcher_writes_its_usage_safely(redirect: str, code: int, err: str) -> None:
    result = shell(f'"$PY" -m verify --help {redirect}; echo "rc=${{PIPESTATUS[0]}}" >&2')
    assert result.stderr == f"{err}rc={code}\n"
