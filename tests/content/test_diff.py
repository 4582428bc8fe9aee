"""`python -m app content diff` over two copies of the real content that differ in one indicator's level, one
decision rule and one contact: the diff lists exactly the cases those edits change, and fails a release when a
scenario no longer reaches its expected level."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import REPO_ROOT
from app.content import cases, diff, load_content
from app.content.cli import main
from app.content.versions import materialised
from app.core import engine, training, walks
from app.core.models import Content
from app.core.triage import triage

pytestmark = pytest.mark.slow  # each diff runs some 1,300 cases under two versions (about 5 s)

INDICATOR = "attendance_below_90"  # level 2: attendance under 90% (worked case attendance-slipping)
RULE = "early_help_not_working"  # steps up to level 4 (worked case early-help-not-improving)


def copy_content(target: Path) -> Path:
    for folder in ("rules", "dialogues"):
        shutil.copytree(REPO_ROOT / folder, target / folder)
    return target


def edit_item(path: Path, item_id: str, old: str, new: str) -> None:
    """Replace `old` with `new` once inside the YAML list item `- id: item_id` (up to the next item)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: {item_id}\n")
    end = text.find("\n  - ", start)
    end = len(text) if end == -1 else end
    block = text[start:end]
    assert old in block, f"{old!r} not in {item_id} of {path}"
    path.write_text(text[:start] + block.replace(old, new, 1) + text[end:], encoding="utf-8")


def edited_contact(content: Content) -> str:
    """A contact with a phone number that some route names, other than 999."""
    named = [c for r in content.routes.values() for c in r.contacts]
    return next(c for c in named if c != "police_999" and content.contacts[c].phone)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    old = copy_content(tmp_path_factory.mktemp("old"))
    new = copy_content(tmp_path_factory.mktemp("new"))
    indicator_file = next(
        p for p in (new / "rules" / "indicators").glob("*.yaml") if f"- id: {INDICATOR}\n" in p.read_text()
    )
    edit_item(indicator_file, INDICATOR, "level: 2", "level: 3")
    edit_item(new / "rules" / "decision.yaml", RULE, "then: {level: 4}", "then: {level: 3}")
    contact = edited_contact(load_content(old))
    phone = load_content(old).contacts[contact].phone
    edit_item(new / "rules" / "content.yaml", contact, f'phone: "{phone}"', 'phone: "01925 000000"')
    return old, new, contact


@pytest.fixture(scope="module")
def report(versions: tuple[Path, Path, str]) -> diff.Report:
    old, new, _ = versions
    return diff.diff(str(old), str(new))


def recognised(content: Content, kind: str, case_id: str) -> set[str]:
    """Indicator ids a case records or could record under `content`, found without the diff's code."""
    if kind == "triage":
        stem, _, wanted = case_id.partition("/")
        data = yaml.safe_load((REPO_ROOT / "tests" / "cases" / "triage" / f"{stem}.yaml").read_text())
        text = next(c["text"] for c in data["cases"] if c["id"] == wanted)
        return {i.id for i in triage(content, text).indicators}
    if kind == "scenario":
        _, state = training.replay(content, content.scenarios[case_id])
    elif kind == "worked case":
        data = yaml.safe_load((REPO_ROOT / "tests" / "cases" / "worked_cases.yaml").read_text())
        state = cases.complete(content, next(c["answers"] for c in data["cases"] if c["id"] == case_id))
    else:
        path = next(p for p in walks.option_paths(content) if p.label == case_id)
        state, _ = walks.complete(content, walks.apply_steps(content, path.steps))
    present, possible = engine.indicator_sources(content, state)  # type: ignore[arg-type]
    return set(present) | {i for ids in possible.values() for i in ids}


def test_every_listed_case_is_explained_by_one_of_the_three_edits(
    report: diff.Report, versions: tuple[Path, Path, str]
) -> None:
    old = load_content(versions[0])
    contact = versions[2]
    assert report.changes
    for change in report.changes:
        before, after = change.before, change.after
        assert before is not None and after is not None, change  # the edits add or remove no case
        assert before.error is None and after.error is None, change
        if before.contacts != after.contacts and before.routes == after.routes:
            assert any(c.startswith(f"{contact} ") for c in before.contacts), change
        if (before.level, before.immediate_danger, before.routes, before.rules) != (
            after.level,
            after.immediate_danger,
            after.routes,
            after.rules,
        ):
            assert RULE in before.rules + after.rules or INDICATOR in recognised(old, change.kind, change.id), change


def test_no_case_routed_to_the_edited_contact_is_missed(report: diff.Report, versions: tuple[Path, Path, str]) -> None:
    old = load_content(versions[0])
    contact = versions[2]
    listed = {(c.kind, c.id) for c in report.changes}
    routed = {
        (case.kind, case.id)
        for case in cases.all_cases(old)
        if any(c.startswith(f"{contact} ") for c in case.run(old).contacts)
    }
    assert routed, f"no case is routed to {contact}"
    assert routed <= listed


def test_the_known_cases_move_as_the_edits_say(report: diff.Report) -> None:
    by_id = {(c.kind, c.id): c for c in report.changes}
    stepped_down = by_id[("worked case", "early-help-not-improving")]
    assert (stepped_down.before and stepped_down.before.level, stepped_down.after and stepped_down.after.level) == (
        4,
        3,
    )
    raised = by_id[("worked case", "attendance-slipping")]
    assert (raised.before and raised.before.level, raised.after and raised.after.level) == (2, 3)
    assert ("worked case", "thriving-reception-child") not in by_id
    assert {c.kind for c in report.changes} >= {"scenario", "worked case", "triage", "answer path"}


def test_a_scenario_that_no_longer_reaches_its_level_fails_the_diff(report: diff.Report) -> None:
    assert report.exit_status == 1
    failed = {f.id: (f.expected, f.got) for f in report.failures}
    assert failed["attendance_slipping"] == (2, 3)  # the raised indicator is its only concern
    for scenario_id in failed:  # every failure is a scenario whose level moved
        assert any(c.kind == "scenario" and c.id == scenario_id for c in report.changes)
    assert "FAILED" in diff.to_text(report)


def test_identical_content_gives_an_empty_list_and_exit_0(versions: tuple[Path, Path, str]) -> None:
    old = str(versions[0])
    out = io.StringIO()
    assert main(["diff", old, old, "--format", "json"], out) == 0
    assert json.loads(out.getvalue()) == []


def test_json_lists_id_kind_before_and_after(report: diff.Report) -> None:
    entries: list[dict[str, Any]] = json.loads(diff.to_json(report))
    assert len(entries) == len(report.changes)
    for entry in entries:
        assert set(entry) == {"id", "kind", "before", "after"}
        assert {"level", "immediate_danger", "routes", "rules"} <= set(entry["before"])


def test_text_groups_by_kind_with_counts_first(report: diff.Report) -> None:
    text = diff.to_text(report)
    head, _, body = text.partition("\n\n")
    for kind in cases.KINDS:
        listed = sum(1 for c in report.changes if c.kind == kind)
        assert f"  {kind}: {listed} of {report.cases_run[kind]} changed" in head
        if listed:
            assert f"== {kind} ({listed}) ==" in body
    assert "level: 2 -> 3" in body


def test_a_git_ref_is_read_as_that_commit_s_content() -> None:
    with materialised("335ec25") as root:
        assert "version: 0.1.0" in (root / "rules" / "content.yaml").read_text()


def test_a_version_that_is_neither_folder_nor_ref_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "no-such-ref-or-folder", "."], io.StringIO()) == 2
    assert "neither a content folder" in capsys.readouterr().err


def test_every_case_set_is_found_through_the_registry() -> None:
    files = cases.case_files()
    assert [p.name for p in files["worked case"]] == ["worked_cases.yaml"]
    assert {p.stem for p in files["triage"]} >= {"development", "training", "holdout_1"}
