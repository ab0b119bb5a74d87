"""Nothing the engine does from inside its worker forges a verdict: real hostile engines, each caught.

Each engine doubles every gradient and then attacks the worker's reporting:
its channel's encoder, its fingerprint and run handler, the float it reads,
or the channel's framing. Each must end as ``tampered`` (or the doubling
seen), never "no fault found".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify.audit.api import audit
from verify.audit.engine.protocol import (
    DEPTH_LIMIT,
    EngineError,
    Frame,
    ProtocolViolation,
    RunAnswer,
    decode,
    nesting,
)
from verify.audit.engine.sandbox import EngineFailed, EngineProcess
from verify.audit.engine.worker import real
from verify.program import Program, Step

SANDBOX = Path(__file__).resolve().parent / "engines" / "sandbox"
MUL = Program((("x", 2.0), ("y", 3.0)), (Step("mul", (0, 1)),))


@pytest.mark.parametrize(("spec", "said"), [
    ("forges_channel.py:Doubles", "channel._encode was replaced"),
    ("empties_fingerprint.py:Doubles", "handlers.run was replaced"),
])
def test_rewiring_the_channel_or_the_tamper_check_at_import_is_tampering(spec: str, said: str) -> None:
    with EngineProcess(f"{SANDBOX / spec}", 5.0) as engine:
        assert engine.tampered is not None and said in engine.tampered, engine.tampered
        with pytest.raises(EngineFailed) as failed:
            engine.run(MUL)
        assert failed.value.kind == "tampered"


@pytest.mark.parametrize("spec", ["forges_channel.py:Doubles", "empties_fingerprint.py:Doubles"])
def test_a_forging_engine_never_gets_a_pass(spec: str) -> None:
    result = audit(f"{SANDBOX / spec}", max_examples=5)
    assert result.exit_code == 1
    assert result.campaign.finding is not None and result.campaign.finding.kind == "tampered"


def test_the_encoder_is_put_back_so_the_answer_is_the_workers_own() -> None:
    # The forged encoder halves gradients; once put back, the doubled ones arrive as they are.
    with EngineProcess(f"{SANDBOX / 'forges_channel.py'}:Doubles", 5.0) as engine:
        with pytest.raises(EngineFailed):
            engine.run(MUL)
        engine.tampered = None  # read the numbers the worker sent, to see whose encoder sent them
        assert engine.run(MUL).grad == (6.0, 4.0, 2.0)


def test_a_float_whose_float_lies_is_read_by_its_stored_value() -> None:
    with EngineProcess(f"{SANDBOX / 'lying_float.py'}:LiesAboutGrad", 5.0) as engine:
        assert engine.run(MUL).grad == (6.0, 4.0, 2.0)
    result = audit(f"{SANDBOX / 'lying_float.py'}:LiesAboutGrad", max_examples=5)
    assert result.exit_code == 1


def test_subclasses_of_numbers_are_read_by_their_stored_value() -> None:
    class Lies(float):
        def __float__(self) -> float:
            return 0.0

    class LiesToo(int):
        def __float__(self) -> float:
            return 0.0

    assert real(Lies(2.5)) == 2.5
    assert real(LiesToo(3)) == 3.0


def test_a_deeply_nested_message_is_a_clean_protocol_failure() -> None:
    with EngineProcess(f"{SANDBOX / 'nests_answer.py'}:NestsAnswer", 5.0) as engine, \
            pytest.raises(EngineFailed) as failed:
        engine.run(MUL)
    assert failed.value.kind == "tampered"
    assert "nested 100,000 deep" in str(failed.value)


def test_nesting_is_counted_outside_strings() -> None:
    assert nesting(json.dumps({"a": [1, [2, '[[["]]\\']]}).encode()) == 3
    assert nesting(b"1.5") == 0


def test_the_depth_limit_refuses_one_level_more_and_takes_the_deepest_real_answer() -> None:
    assert decode(b"[" * DEPTH_LIMIT + b"]" * DEPTH_LIMIT) is not None
    with pytest.raises(ProtocolViolation, match="nested"):
        decode(b"[" * (DEPTH_LIMIT + 1) + b"]" * (DEPTH_LIMIT + 1))
    # The protocol's own deepest message: an answer with an error and its frame.
    answer = RunAnswer("backward", None, (1.0,), (), (), EngineError("E", "m", Frame("f", 1, "g", "s")))
    wire = json.dumps({"answer": answer.to_wire(), "tampered": []}).encode()
    assert decode(wire)["answer"]["error"]["frame"]["line"] == 1
