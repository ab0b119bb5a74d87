"""Run a manifest witness with a zoo class and record what happened. Not an engine.

``load(spec)`` imports a zoo class the way the audit would (the file's folder
on sys.path; a file inside a package imported as part of it; any file name).
``observe(cls, witness)`` runs the snippet one statement at a time with ``V``
bound to the class and returns plain data: the first exception and the
statement that raised it, and every engine object's data and grad, encoded
so that None, str and complex survive JSON.

As a script it is the isolated runner of ``tests/test_zoo.py``:

    python witness.py SPEC WITNESS RESULT.json [FLAGS]

FLAGS is a comma-separated list: ``memcap`` limits the address space to
1 GiB before anything is imported; ``stub-verifier`` installs a stand-in
``verify.audit_worker`` module whose ``run`` returns known gradients, to see
whether the engine patches it. Children the engine reports having forked
(``RENDERER_PIDS``, ``CHILD_PID``) are checked for life, then ended by pid.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import signal
import sys
import time
import types

ZOO = os.path.dirname(os.path.abspath(__file__))

STUB_GRADS = [2.0, 4.0]
"""What the stand-in verify.audit_worker.run reports before any engine patches it."""


def load(spec, zoo=ZOO):
    """The class named by "path/to/file.py:Class", the path relative to ``zoo``."""
    target, _, name = spec.rpartition(":")
    path = os.path.join(zoo, target)
    folder = os.path.dirname(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    if os.path.isfile(os.path.join(folder, "__init__.py")):
        # the package's parent only: its folder on the path would shadow the zoo's own files
        # (relpkg/rules.py for rules.py)
        parent = os.path.dirname(folder)
        if parent not in sys.path:
            sys.path.insert(0, parent)
        module = importlib.import_module(f"{os.path.basename(folder)}.{stem}")
    elif stem.isidentifier():
        if folder not in sys.path:
            sys.path.insert(0, folder)
        module = importlib.import_module(stem)
    else:
        module_name = "zoo_" + "".join(c if c.isalnum() else "_" for c in stem)
        module = sys.modules.get(module_name)
        if module is None:
            found = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(found)
            sys.modules[module_name] = module
            found.loader.exec_module(module)
    return getattr(module, name)


def encode(x):
    if x is None:
        return {"none": True}
    if isinstance(x, str):
        return {"str": x}
    if isinstance(x, complex):
        return {"complex": [x.real, x.imag]}
    if isinstance(x, (int, float)):
        return {"float": repr(float(x))}
    return {"other": type(x).__name__}


def decode(x):
    """A float for a real number, else the Python value (None, str, complex) or a type name."""
    if "float" in x:
        return float(x["float"])
    if "none" in x:
        return None
    if "str" in x:
        return x["str"]
    if "complex" in x:
        return complex(*x["complex"])
    return x["other"]


def is_engine_object(x):
    return not isinstance(x, type) and hasattr(x, "data") and hasattr(x, "grad")


def leaves(witness):
    """The names the witness binds to V(...): its inputs."""
    names = []
    for node in ast.walk(ast.parse(witness)):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "V"):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def observe(cls, witness):
    namespace = {"V": cls}
    error = None
    start = time.monotonic()
    for statement in ast.parse(witness).body:
        code = compile(ast.Module([statement], []), "<witness>", "exec")
        try:
            exec(code, namespace)
        except BaseException as e:  # the engine may raise anything
            error = {"statement": ast.get_source_segment(witness, statement),
                     "type": type(e).__name__, "message": str(e)[:300]}
            break
    elapsed = time.monotonic() - start
    values = {}
    for name, value in namespace.items():
        if name != "V" and is_engine_object(value):
            values[name] = {"data": encode(value.data), "grad": encode(value.grad)}
    return {"error": error, "values": values, "leaves": leaves(witness), "elapsed": elapsed}


def _alive(pid):
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


def _install_stub_verifier():
    package = types.ModuleType("verify")
    package.__path__ = []
    worker = types.ModuleType("verify.audit_worker")
    worker.run = lambda cls, program: {"stage": "done", "data": [1.0], "grad": list(STUB_GRADS)}
    package.audit_worker = worker
    sys.modules["verify"] = package
    sys.modules["verify.audit_worker"] = worker
    return worker


def main(argv):
    spec, witness, result_path = argv[:3]
    flags = set(argv[3].split(",")) if len(argv) > 3 and argv[3] else set()
    if "memcap" in flags:
        import resource

        cap = 1 << 30
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    stub = _install_stub_verifier() if "stub-verifier" in flags else None
    result = {"pid": os.getpid()}
    try:
        cls = load(spec)
    except BaseException as e:
        result["import_error"] = {"type": type(e).__name__, "message": str(e)[:300]}
    else:
        sys.stderr.write("zoo witness: loaded, running\n")
        sys.stderr.flush()
        result.update(observe(cls, witness))
        module = sys.modules[cls.__module__]
        pids = list(getattr(module, "RENDERER_PIDS", []))
        child = getattr(module, "CHILD_PID", 0)
        if isinstance(child, int) and child > 0:
            pids.append(child)
        result["children"] = [{"pid": pid, "alive": _alive(pid)} for pid in pids]
        for pid in pids:  # end what the engine started, by pid
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        result["patched"] = getattr(module, "PATCHED", None)
    if stub is not None:
        result["stub_grads"] = stub.run(None, None)["grad"]
    with open(result_path, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main(sys.argv[1:])
