"""Run a YAML set of free-text cases through the triage and report how well the suggested levels fit.

Usage: python bench/triage_eval.py [PATH] [--content DIR] [--summary]
--summary prints the aggregate lines only (no per-case misses): use it on the blind hold-out, whose
sentences and misses must stay unread so that it keeps measuring text the triage has never seen.
PATH defaults to ../shared/eval/dev-vignettes.yaml beside the repository (read in place, never copied).
Each case: {id, text, accept: [levels], immediate_danger: bool}.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.content import load_content  # noqa: E402
from app.core.triage import triage, triage_index  # noqa: E402

DEFAULT_CASES = ROOT.parent / "shared" / "eval" / "dev-vignettes.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_CASES))
    parser.add_argument("--content", default=str(ROOT))
    parser.add_argument("--verbose", "-v", action="store_true", help="show recognised indicators for every case")
    parser.add_argument("--summary", action="store_true", help="aggregate lines only, never a case (for the hold-out)")
    args = parser.parse_args(argv)

    content = load_content(args.content)
    triage_index(content)  # build once, as the app does at start-up
    cases = yaml.safe_load(Path(args.path).read_text())["cases"]

    accepted = under4 = over = danger_cases = danger_flagged = false_danger = 0
    times: list[float] = []
    misses: list[str] = []
    for case in cases:
        started = time.perf_counter()
        result = triage(content, case["text"], case.get("age"))
        times.append((time.perf_counter() - started) * 1000)
        level = result.suggested_level
        accept = case["accept"]
        ok = level in accept
        accepted += ok
        levels = [a for a in accept if a is not None]
        if levels and min(levels) == 4 and (level or 0) < 4:
            under4 += 1
        if level is not None and level > max(levels, default=0):
            over += 1
        if case.get("immediate_danger"):
            danger_cases += 1
            danger_flagged += result.immediate_danger
        elif result.immediate_danger:
            false_danger += 1
        danger_miss = bool(case.get("immediate_danger")) and not result.immediate_danger
        found = ", ".join(
            f"{i.id}({i.level}{'-neg' if i.negated else ''}{'-hist' if i.historic else ''})" for i in result.indicators
        )
        false_alarm = result.immediate_danger and not case.get("immediate_danger")
        if not ok or danger_miss or false_alarm:
            tag = " FALSE-ALARM" if false_alarm else (" DANGER-MISSED" if danger_miss else "")
            misses.append(
                f"  {case['id']:<10} accept={accept} got={level} danger={result.immediate_danger}{tag}  [{found}]"
            )
        elif args.verbose and not args.summary:
            print(f"  ok {case['id']:<10} got={level} [{found}]")

    n = len(cases)
    print(f"cases: {n}")
    print(f"accepted: {accepted}/{n} ({100 * accepted / n:.1f}%)")
    print(f"level-4 cases under-triaged: {under4}")
    recall = f"{danger_flagged}/{danger_cases}" if danger_cases else "n/a"
    print(f"immediate-danger recall: {recall} (false alarms: {false_danger})")
    print(f"over-triaged: {over}")
    print(f"time per case: median {statistics.median(times):.2f} ms, p95 {_p95(times):.2f} ms")
    if misses and not args.summary:
        print("misses:")
        print("\n".join(misses))
    return 0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    raise SystemExit(main())
