"""Run a YAML set of free-text cases through the triage and report how well the suggested levels fit.

Usage: python bench/triage_eval.py [PATH] [--content DIR] [--summary] [--all] [--long-note]
--summary prints the aggregate lines only (no per-case misses): use it on the blind hold-outs, whose
sentences and misses must stay unread so that they keep measuring text the triage has never seen.
--all prints one line per set: the shared development vignettes, then every set in tests/cases/triage/
(hold-outs included, as totals only).
--long-note times the triage of a 20,000-character chronology (the longest description accepted), built from
tests/cases/triage/long_notes.yaml, and says what it read.
PATH defaults to ../shared/eval/dev-vignettes.yaml beside the repository (read in place, never copied).
Each case: {id, text, accept: [levels], immediate_danger: bool}.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.content import load_content  # noqa: E402
from app.core.models import Content  # noqa: E402
from app.core.triage import MAX_TEXT_LENGTH, triage, triage_index  # noqa: E402

DEFAULT_CASES = ROOT.parent / "shared" / "eval" / "dev-vignettes.yaml"
CASE_SETS = ROOT / "tests" / "cases" / "triage"
NOT_CASE_SETS = {"long_notes.yaml"}  # notes built by their test, not a list of cases
LONG_NOTES = CASE_SETS / "long_notes.yaml"


@dataclass
class Score:
    cases: int = 0
    accepted: int = 0
    under4: int = 0
    over: int = 0
    danger_cases: int = 0
    danger_flagged: int = 0
    false_danger: int = 0
    times: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)


def score(content: Content, cases: list[dict[str, Any]]) -> Score:
    s = Score(cases=len(cases))
    for case in cases:
        started = time.perf_counter()
        result = triage(content, case["text"], case.get("age"))
        s.times.append((time.perf_counter() - started) * 1000)
        level = result.suggested_level
        accept = case["accept"]
        ok = level in accept
        s.accepted += ok
        levels = [a for a in accept if a is not None]
        if levels and min(levels) == 4 and (level or 0) < 4:
            s.under4 += 1
        if level is not None and level > max(levels, default=0):
            s.over += 1
        if case.get("immediate_danger"):
            s.danger_cases += 1
            s.danger_flagged += result.immediate_danger
        elif result.immediate_danger:
            s.false_danger += 1
        danger_miss = bool(case.get("immediate_danger")) and not result.immediate_danger
        found = ", ".join(
            f"{i.id}({i.level}{'-neg' if i.negated else ''}{'-hist' if i.historic else ''})" for i in result.indicators
        )
        false_alarm = result.immediate_danger and not case.get("immediate_danger")
        if not ok or danger_miss or false_alarm:
            tag = " FALSE-ALARM" if false_alarm else (" DANGER-MISSED" if danger_miss else "")
            s.misses.append(
                f"  {case['id']:<10} accept={accept} got={level} danger={result.immediate_danger}{tag}  [{found}]"
            )
        else:
            s.passed.append(f"  ok {case['id']:<10} got={level} [{found}]")
    return s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_CASES))
    parser.add_argument("--content", default=str(ROOT))
    parser.add_argument("--verbose", "-v", action="store_true", help="show recognised indicators for every case")
    parser.add_argument("--summary", action="store_true", help="aggregate lines only, never a case (for the hold-out)")
    parser.add_argument("--all", action="store_true", help="one line per set: the vignettes and tests/cases/triage/")
    parser.add_argument("--long-note", action="store_true", help="time a 20,000-character chronology")
    args = parser.parse_args(argv)

    content = load_content(args.content)
    triage_index(content)  # build once, as the app does at start-up
    if args.long_note:
        return long_note(content)
    if args.all:
        return all_sets(content)
    s = score(content, yaml.safe_load(Path(args.path).read_text())["cases"])
    n = s.cases
    print(f"cases: {n}")
    print(f"accepted: {s.accepted}/{n} ({100 * s.accepted / n:.1f}%)")
    print(f"level-4 cases under-triaged: {s.under4}")
    recall = f"{s.danger_flagged}/{s.danger_cases}" if s.danger_cases else "n/a"
    print(f"immediate-danger recall: {recall} (false alarms: {s.false_danger})")
    print(f"over-triaged: {s.over}")
    print(f"time per case: median {statistics.median(s.times):.2f} ms, p95 {_p95(s.times):.2f} ms")
    if args.verbose and not args.summary:
        print("\n".join(s.passed))
    if s.misses and not args.summary:
        print("misses:")
        print("\n".join(s.misses))
    return 0


def all_sets(content: Content) -> int:
    """One line per set, totals only (never a case), so the hold-outs stay unread."""
    paths = [DEFAULT_CASES] if DEFAULT_CASES.exists() else []
    paths += sorted(p for p in CASE_SETS.glob("*.yaml") if p.name not in NOT_CASE_SETS)
    print(f"{'set':<34} {'accepted':>9} {'level-4 under':>13} {'danger recall':>13} {'false alarms':>12} {'over':>5}")
    for path in paths:
        s = score(content, yaml.safe_load(path.read_text())["cases"])
        recall = f"{s.danger_flagged}/{s.danger_cases}" if s.danger_cases else "n/a"
        print(
            f"{path.stem:<34} {f'{s.accepted}/{s.cases}':>9} {s.under4:>13} {recall:>13} {s.false_danger:>12} {s.over:>5}"
        )
    return 0


def long_note(content: Content, rounds: int = 9) -> int:
    """The longest description accepted: a chronology of everyday entries with the gravest one last."""
    note = yaml.safe_load(LONG_NOTES.read_text())["notes"][0]
    ending = note["ending"]
    body = ""
    while len(body) < MAX_TEXT_LENGTH:
        body += "".join(entry.strip() + "\n" for entry in note["entries"])
    text = body[: MAX_TEXT_LENGTH - len(ending)] + ending
    triage(content, text)  # first use warms the phrase caches, as the app's first request does
    times, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = triage(content, text)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"a {len(text):,}-character chronology, {rounds} runs: median {statistics.median(times):.0f} ms "
        f"(CPU {statistics.median(cpu):.0f} ms, best {min(cpu):.0f} ms); level {result.suggested_level}, "
        f"immediate danger {result.immediate_danger}, {len(result.indicators)} items recognised"
    )
    return 0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    raise SystemExit(main())
