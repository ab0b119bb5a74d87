"""Mutation testing of the judge, the oracles and the audit's decisions, with mutmut.

    python tests/mutation/run.py [AREA ...] [--max-children N] [--out FILE] [--work DIR]

AREA is a key of ``AREAS`` (default: judge and oracle) or a file such as ``verify/judge/blame.py``.
The tracked files are copied to a scratch folder (or DIR, kept), mutmut runs there with the settings
of ``mutmut.cfg`` beside this file (its ``[mutmut]`` section, plus ``only_mutate`` for the areas),
and the score, per file too, and every surviving mutant, each with a reason, are printed (and
written to FILE, under a comment that says how the run was made):

- "equivalent": listed in ``equivalent.py`` with the reason it can not change behaviour;
- "runs only at import": listed there too; mutmut switches a mutant on after the import;
- "a string literal only": the mutant changes a message's wording; no verdict depends on it;
- "a guard": zip's strict=True dropped, noticed only if lengths ever differed;
- "a boundary": ``<`` for ``<=`` or the like, which differs only at an exact tie;
- "timeout": the tests did not finish (an endless loop);
- "a test to write": anything else; the diff says what no test notices yet.

With ``--work DIR`` holding an earlier run of the same areas, only the mutants it did not kill are
run again (not those listed equivalent, run at import, guards or timeouts), with the tests as they
are now (every test traced again) but the earlier run's settings, and so are the mutants of
functions changed since (mutmut makes them anew): a quick check after writing tests for survivors,
in files the earlier run selected.

The score is detected / (all - skipped), where detected is killed or hung (a timeout: the tests
never finish, which a test run notices; Stryker and PIT count it so too). Run it niced; it is slow
(about 2 mutants a second on one core, less when the machine is busy).
"""

from __future__ import annotations

import argparse
import configparser
import fnmatch
import io
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
_LISTED = runpy.run_path(str(HERE / "equivalent.py"))
EQUIVALENT: dict[tuple[str, str, str], str] = _LISTED["EQUIVALENT"]
AT_IMPORT: dict[str, str] = _LISTED["AT_IMPORT"]
AREAS = {
    "judge": ["verify/judge/*"],
    "oracle": ["verify/oracle/*"],
    "audit": [f"verify/audit/{name}.py" for name in ("trial", "raises", "explain", "isolate", "substitute",
                                                     "reproduce", "campaign", "ledger", "phases",
                                                     "random_phase", "survey", "battery")],
}
MUTMUT = [sys.executable, "-m", "mutmut"]
WHY_NOT_SURVIVED = {
    "not checked": "not checked: the run stopped before this mutant (counted as not killed)",
    "timeout": "timeout: the tests did not finish (an endless loop, as n = 1 in a halving loop): a hang "
               "the tests notice, counted as detected",
}


def _copy_tree(to: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, to / name)


def _config(to: Path, patterns: list[str]) -> None:
    config = configparser.ConfigParser()
    config.read(HERE / "mutmut.cfg")
    config["mutmut"]["only_mutate"] = "\n" + "\n".join(patterns)
    with open(to / "setup.cfg", "w") as f:
        config.write(f)


def _strings_removed(line: str) -> str:
    """The line's tokens without its string literals (f-strings too), or the line if it does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return line
    dropped = {tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    return " ".join(t.string for t in tokens if t.type not in dropped)


_BOUNDARY = {("<", "<="), ("<=", "<"), (">", ">="), (">=", ">")}


def _only_a_boundary(a: str, b: str) -> bool:
    """The lines differ in one comparison only, ``<`` for ``<=`` or the like."""
    ta, tb = _strings_removed(a).split(), _strings_removed(b).split()
    changed = [(x, y) for x, y in zip(ta, tb, strict=False) if x != y]
    return len(ta) == len(tb) and len(changed) == 1 and changed[0] in _BOUNDARY


def _only_strict_dropped(a: str, b: str) -> bool:
    """The lines differ only in zip's ``strict=True``: made None or False, or left out."""
    return "strict=True" in a and b.strip() in {a.replace("strict=True", other).strip()
                                                for other in ("strict=None", "strict=False", "")}


def reason(diff: str, name: str = "") -> str:
    """Why a mutant survived, from its diff (and its name, for the equivalents listed in equivalent.py)."""
    old = [ln[1:] for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    new = [ln[1:] for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    pairs = list(zip(old, new, strict=False)) if old and len(old) == len(new) else []
    at_import = AT_IMPORT.get(name.rsplit("__mutmut_", 1)[0])
    if at_import:
        return f"runs only at import, before mutmut switches the mutant on: {at_import}"
    if len(pairs) == 1:
        why = EQUIVALENT.get((name.rsplit("__mutmut_", 1)[0], pairs[0][0].strip(), pairs[0][1].strip()))
        if why:
            return f"equivalent: {why}"
    if pairs and all(_strings_removed(a) == _strings_removed(b) for a, b in pairs):
        return "a string literal only (message wording; no verdict depends on it)"
    if len(pairs) == 1 and _only_strict_dropped(*pairs[0]):
        return ("a guard: zip's strict=True dropped; it notices only sequences of unequal lengths, which "
                "no caller makes (a bug elsewhere would)")
    if len(pairs) == 1 and _only_a_boundary(*pairs[0]):
        return "a boundary (< for <=): differs only at an exact tie; a test to write where a tie matters"
    return "a test to write: no selected test notices this change"


_DIFFS = """
import json, sys, time
from mutmut.mutation.diff_apply import get_diff_for_mutant

def diff(name):
    for attempt in range(3):  # a run still writing mutmut's files can be read half-written
        try:
            return get_diff_for_mutant(name)
        except Exception as error:
            why = f"(no diff: {type(error).__name__})"
            time.sleep(0.5)
    return why

print(json.dumps({name: diff(name) for name in json.load(sys.stdin)}))
"""


def _diffs(work: Path, names: list[str]) -> dict[str, str]:
    """Each mutant's diff, from one process (``mutmut show`` per mutant costs a second each)."""
    out = subprocess.run([sys.executable, "-c", _DIFFS], cwd=work, input=json.dumps(names),
                         capture_output=True, text=True, check=True).stdout
    diffs: dict[str, str] = json.loads(out)
    return diffs


def _status(work: Path) -> dict[str, str]:
    listed = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=work, capture_output=True,
                            text=True, check=True).stdout
    return dict(re.findall(r"^\s*(\S+): (.+)$", listed, re.M))


_UNKILLABLE = ("equivalent", "runs only at import", "a guard")


def _module(mutant: str) -> str:
    """verify.oracle.ball of verify.oracle.ball.x_text__mutmut_3 (or of a method's xǁClassǁname)."""
    return re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0]


def _in(mutant: str, patterns: list[str]) -> bool:
    """Whether the mutant's file matches one of the areas' patterns."""
    return any(fnmatch.fnmatch(_module(mutant).replace(".", "/") + ".py", p) for p in patterns)


def _score(states: list[str]) -> str:
    """Detected (killed, or hung: the tests never finish) out of all but the skipped, as Stryker and PIT
    count a timeout."""
    counts = Counter(states)
    judged = len(states) - counts["skipped"]
    unchecked = f", {counts['not checked']} not checked" if counts["not checked"] else ""
    detected = counts["killed"] + counts["timeout"]
    share = detected / judged if judged else 0.0
    return (f"{detected}/{judged} = {share:.1%} detected ({counts['killed']} killed, {counts['timeout']} "
            f"hung{unchecked})")


def _area_scores(status: dict[str, str], areas: list[str]) -> list[str]:
    """Each area's own score line (an area is a key of AREAS or a file)."""
    lines = []
    for area in areas:
        patterns = AREAS.get(area, [area])
        lines.append(f"score of {area}: {_score([st for name, st in status.items() if _in(name, patterns)])}")
    return lines


def _commit() -> str:
    return subprocess.run(["git", "log", "-1", "--format=%h"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()


def _header(args: argparse.Namespace, again: int, minutes: float, started: str) -> str:
    """How the report was made: the commits of the run (and of a run again), its time, the load."""
    recorded = args.work / "commit" if args.work else None
    first = recorded.read_text().strip() if recorded and recorded.is_file() else "(not recorded)"
    commit = started
    how = (f"on commit {first}, then {again} mutants run again with the tests and code of commit {commit} "
           "(those it had not killed, not those listed unkillable, and those of functions changed since)"
           if again else f"on commit {commit}")
    if args.report_only:
        return (f"<!-- Written by tests/mutation/run.py {' '.join(args.areas)} --report-only (mutmut 3.8.1) "
                f"from the run recorded in {args.work}, read at commit {commit}, load average "
                f"{os.getloadavg()[0]:.1f}: mutants still 'not checked' count as not killed. -->")
    return (f"<!-- Written by tests/mutation/run.py {' '.join(args.areas)} (mutmut 3.8.1, --max-children "
            f"{args.max_children}) {how}; {minutes:.1f} min, load average {os.getloadavg()[0]:.1f} at "
            "the end. -->")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", default=["judge", "oracle"])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=None,
                        help="mutmut's folder, kept; if it holds a run of the same areas, only the mutants "
                             "that run did not kill are run again, with the tests as they are now")
    parser.add_argument("--report-only", action="store_true",
                        help="with --work: report what mutmut has recorded there (an interrupted run too), "
                             "running nothing")
    args = parser.parse_args()
    if args.report_only and args.work is None:
        parser.error("--report-only reads an earlier run: give its --work DIR")
    patterns = [p for area in args.areas for p in AREAS.get(area, [area])]
    work = args.work or Path(tempfile.mkdtemp(prefix="mutation-"))
    started, commit = time.monotonic(), _commit()
    try:
        earlier = (work / "mutants").is_dir()
        again = ([name for name, state in _status(work).items()
                  if state not in ("killed", "skipped") and _in(name, patterns)]
                 if earlier and not args.report_only else [])
        if again:  # what no test can kill (equivalents, import-time code, guards) or hangs: not rerun
            diffs = _diffs(work, again)
            status = _status(work)
            again = [name for name in again if status[name] != "timeout"
                     and not reason(diffs[name], name).startswith(_UNKILLABLE)]
        ran = None
        if not args.report_only:
            if earlier:  # trace the tests again: which tests reach a function changed since is not kept
                (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
            _copy_tree(work)
            if not earlier:  # mutmut forgets every result when the selection changes: keep the earlier one's
                _config(work, patterns)
                (work / "commit").write_text(commit + "\n")
            ran = subprocess.run([*MUTMUT, "run", "--max-children", str(args.max_children), *again], cwd=work,
                                 capture_output=True, text=True, check=False)
            if earlier:  # functions changed since the earlier run have new mutants, not checked yet: run them
                fresh = [name for name, state in _status(work).items()
                         if state == "not checked" and _in(name, patterns)]
                if fresh:
                    again += fresh
                    ran = subprocess.run([*MUTMUT, "run", "--max-children", str(args.max_children), *fresh],
                                         cwd=work, capture_output=True, text=True, check=False)
        status = {name: state for name, state in _status(work).items() if _in(name, patterns)}
        counts = Counter(status.values())
        if ran is not None and (not status or counts["not checked"] == len(status)):
            # mutmut stops before any mutant when the selected tests fail on the unmutated code
            print(ran.stdout[-3000:], ran.stderr[-3000:], sep="\n", file=sys.stderr)
            print("mutmut checked no mutant (see its output above)", file=sys.stderr)
            return 1
        by_file: dict[str, list[str]] = {}
        for name, state in status.items():
            by_file.setdefault(_module(name), []).append(state)
        lines = [_header(args, len(again), (time.monotonic() - started) / 60, commit),
                 f"# Mutation testing: {', '.join(args.areas)}", "",
                 f"mutants: {len(status)}; " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
                 f"score: {_score(list(status.values()))}",
                 *(_area_scores(status, args.areas) if len(args.areas) > 1 else []), "",
                 *(f"- {module}: {_score(states)}" for module, states in sorted(by_file.items())),
                 "", "## Survivors", ""]
        reasons: Counter[str] = Counter()
        left = sorted(name for name, state in status.items() if state not in ("killed", "skipped"))
        diffs = _diffs(work, left)
        for name in left:
            state, diff = status[name], diffs[name]
            why = (reason(diff, name) if state == "survived"
                   else WHY_NOT_SURVIVED.get(state, f"{state}: a test to write"))
            reasons[why] += 1
            changed = " / ".join(ln.strip() for ln in diff.splitlines()
                                 if ln[:1] in "+-" and ln[:3] not in ("---", "+++"))
            lines.append(f"- `{name}` ({state}): {why}\n  `{changed[:300]}`")
        at = lines.index("## Survivors")
        lines[at:at] = [f"{n} {why}" for why, n in reasons.most_common()] + [""]
        text = "\n".join(lines) + "\n"
        print(text)
        if args.out:
            args.out.write_text(text)
        return 0
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
