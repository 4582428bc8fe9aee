"""`content diff`: what a content edit does to outcomes, case by case, before it is released.

Both versions are run with the current code over every case the project knows (app/content/cases.py). A case
is listed when its level, immediate danger, routes, fired rules or route contacts differ. A scenario whose
expected level no longer holds under the new version (it held under the old one, or it is new, or its result
moved) is a failure a release script stops on.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import REPO_ROOT
from app.content.cases import KINDS, Case, Result, all_cases
from app.content.loader import load_content
from app.content.versions import materialised
from app.core.models import Content


@dataclass(frozen=True)
class Change:
    id: str
    kind: str
    before: Result | None  # None: the case does not exist in OLD (a new scenario or option)
    after: Result | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
        }


@dataclass(frozen=True)
class ScenarioFailure:
    id: str
    expected: int
    got: int | None


@dataclass
class Report:
    old_version: str
    new_version: str
    changes: list[Change]
    cases_run: dict[str, int]  # kind -> cases run under NEW
    failures: list[ScenarioFailure]
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)  # kind -> cases that could not run under NEW
    still_failing: list[ScenarioFailure] = field(default_factory=list)  # missed the same way under OLD

    @property
    def exit_status(self) -> int:
        return 1 if self.failures else 0


def _run(content: Content, cases: list[Case]) -> dict[tuple[str, str], Result]:
    return {(case.kind, case.id): case.run(content) for case in cases}


def compare(old: Content, new: Content, repo: Path = REPO_ROOT) -> Report:
    """Run every case under both versions and list what changed."""
    started = time.perf_counter()
    old_cases, new_cases = all_cases(old, repo), all_cases(new, repo)
    before, after = _run(old, old_cases), _run(new, new_cases)
    keys = sorted({*before, *after}, key=lambda key: (KINDS.index(key[0]), key[1]))
    changes = [
        Change(key[1], key[0], before.get(key), after.get(key)) for key in keys if before.get(key) != after.get(key)
    ]
    expected_before = {case.id: case.expected_level for case in old_cases if case.expected_level is not None}
    failures: list[ScenarioFailure] = []
    still_failing: list[ScenarioFailure] = []
    for case in new_cases:
        if case.expected_level is None or after[(case.kind, case.id)].level == case.expected_level:
            continue
        failure = ScenarioFailure(case.id, case.expected_level, after[(case.kind, case.id)].level)
        old_result = before.get((case.kind, case.id))
        # The same miss under OLD (same expectation, same level) is not a change this diff can stop on.
        unchanged = old_result is not None and (old_result.level, expected_before.get(case.id)) == (
            failure.got,
            failure.expected,
        )
        (still_failing if unchanged else failures).append(failure)
    return Report(
        old_version=old.version,
        new_version=new.version,
        changes=changes,
        cases_run={kind: sum(1 for c in new_cases if c.kind == kind) for kind in KINDS},
        failures=failures,
        still_failing=still_failing,
        seconds=time.perf_counter() - started,
        errors={kind: sum(1 for (k, _), r in after.items() if k == kind and r.error) for kind in KINDS},
    )


def diff(old_spec: str, new_spec: str, repo: Path = REPO_ROOT) -> Report:
    """Compare two content versions given as folders or git refs (ContentInvalid if either is invalid)."""
    with materialised(old_spec, repo) as old_root, materialised(new_spec, repo) as new_root:
        old, new = load_content(old_root), load_content(new_root)
    return compare(old, new, repo)


# --- Output -------------------------------------------------------------------------------------


def to_json(report: Report) -> str:
    return json.dumps([c.as_dict() for c in report.changes], indent=2) + "\n"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _describe(change: Change) -> list[str]:
    before, after = change.before, change.after
    if before is None or after is None:
        present = after or before
        assert present is not None
        where = "only in NEW" if before is None else "only in OLD"
        routes = ", ".join(present.routes)
        return [f"  {where}: level {present.level}, immediate danger {_yes(present.immediate_danger)}, routes {routes}"]
    lines = []
    if before.level != after.level:
        lines.append(f"  level: {before.level} -> {after.level}")
    if before.immediate_danger != after.immediate_danger:
        lines.append(f"  immediate danger: {_yes(before.immediate_danger)} -> {_yes(after.immediate_danger)}")
    for name in ("routes", "rules"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            added = [f"+{r}" for r in new if r not in old]
            removed = [f"-{r}" for r in old if r not in new]
            lines.append(f"  {name}: {' '.join(added + removed) or 'same, in another order'}")
    if before.contacts != after.contacts:
        removed = [c for c in before.contacts if c not in after.contacts]
        added = [c for c in after.contacts if c not in before.contacts]
        lines.append(f"  contacts: {', '.join(removed) or '(none)'} -> {', '.join(added) or '(none)'}")
    if before.error != after.error:
        lines.append(f"  error: {before.error or 'none'} -> {after.error or 'none'}")
    return lines


def _what_changed(changes: list[Change]) -> dict[str, int]:
    """How many changed cases differ in each part of the outcome (a case can count in several)."""
    both = [(c.before, c.after) for c in changes if c.before is not None and c.after is not None]
    up = sum(1 for b, a in both if (a.level or 0) > (b.level or 0))
    down = sum(1 for b, a in both if (a.level or 0) < (b.level or 0))
    return {
        "level up": up,
        "level down": down,
        "immediate danger": sum(1 for b, a in both if b.immediate_danger != a.immediate_danger),
        "routes": sum(1 for b, a in both if b.routes != a.routes),
        "rules": sum(1 for b, a in both if b.rules != a.rules),
        "contacts": sum(1 for b, a in both if b.contacts != a.contacts),
        "only in one version": len(changes) - len(both),
    }


def to_text(report: Report) -> str:
    total = sum(report.cases_run.values())
    lines = [
        f"content diff: {report.old_version} -> {report.new_version}",
        f"{total} cases run under each version in {report.seconds:.1f} s; {len(report.changes)} changed",
    ]
    by_kind = {kind: [c for c in report.changes if c.kind == kind] for kind in KINDS}
    for kind in KINDS:
        errors = report.errors.get(kind, 0)
        note = f" ({errors} could not run under NEW)" if errors else ""
        lines.append(f"  {kind}: {len(by_kind[kind])} of {report.cases_run[kind]} changed{note}")
    if report.changes:
        lines.append("  what changed: " + ", ".join(f"{name} {n}" for name, n in _what_changed(report.changes).items()))
    for kind in KINDS:
        if by_kind[kind]:
            lines += ["", f"== {kind} ({len(by_kind[kind])}) =="]
            for change in by_kind[kind]:
                lines += [change.id, *_describe(change)]
    if report.failures:
        lines += ["", f"FAILED: {len(report.failures)} scenario(s) no longer reach their expected level under NEW"]
        lines += [f"  {f.id}: expects level {f.expected}, NEW gives {f.got}" for f in report.failures]
    if report.still_failing:
        lines += ["", f"Already failing under OLD, unchanged: {len(report.still_failing)} scenario(s)"]
        lines += [f"  {f.id}: expects level {f.expected}, gives {f.got}" for f in report.still_failing]
    return "\n".join(lines) + "\n"
