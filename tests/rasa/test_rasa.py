"""The Rasa action server (/rasa/*), the Rasa REST channel and the shipped Rasa assistant (dialogues/rasa).

Requests are shaped as Rasa 3.x sends them: `CustomActionRequestWriter` posts
`{next_action, sender_id, tracker: tracker.current_state(), version, domain?}`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.config import REPO_ROOT
from app.core.errors import Conflict
from app.main import create_app
from app.store import open_store
from tests.conftest import FIXTURE_CONTENT, make_settings, stored

RASA_DIR = REPO_ROOT / "dialogues" / "rasa"
RASA_VERSION = "3.6.21"
DOMAIN: dict[str, Any] = yaml.safe_load((RASA_DIR / "domain.yml").read_text())
EXPECTED_ACTIONS = {
    "action_threshold_start",
    "action_threshold_ask",
    "action_ask_threshold_answer",
    "action_threshold_answer",
    "action_threshold_triage",
    "action_threshold_outcome",
    "action_threshold_escalation",
    "action_threshold_ask_partnership",
    "validate_threshold_assessment_form",
}


# --- Rasa 3.x request payloads ------------------------------------------------------------------

_clock = iter(range(1_700_000_000, 1_800_000_000))


def action_event(name: str, policy: str | None = "RulePolicy") -> dict[str, Any]:
    return {
        "event": "action",
        "timestamp": float(next(_clock)),
        "metadata": {"model_id": "a1b2c3"},
        "name": name,
        "policy": policy,
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": False,
    }


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": float(next(_clock)), "metadata": {}, "name": name, "value": value}


def parse_data(text: str, intent: str, entities: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [
            {"entity": name, "start": 0, "end": len(text), "value": value, "extractor": "RegexMessageHandler"}
            for name, value in (entities or {}).items()
        ],
        "text": text,
        "message_id": "0f8e6a2c",
        "metadata": {},
        "text_tokens": [],
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
    }


def user_event(text: str, intent: str, entities: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": float(next(_clock)),
        "metadata": {},
        "text": text,
        "parse_data": parse_data(text, intent, entities),
        "input_channel": "rest",
        "message_id": "0f8e6a2c",
    }


def button(intent: str, **entities: str) -> str:
    """What Rasa's REST channel receives when a button is clicked: its payload, `/intent{json}`."""
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


def action_call(
    action: str,
    sender: str = "rasa-user-1",
    *,
    text: str = "/start_assessment",
    intent: str = "start_assessment",
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    after_user: list[dict[str, Any]] | None = None,
    active_loop: dict[str, Any] | None = None,
    domain: dict[str, Any] | None = DOMAIN,
    version: str | None = RASA_VERSION,
) -> dict[str, Any]:
    """The body Rasa 3.x posts to the action server for `action` after the user said `text`."""
    user = user_event(text, intent, entities)
    events = [
        action_event("action_session_start", policy=None),
        {"event": "session_started", "timestamp": float(next(_clock)), "metadata": {}},
        action_event("action_listen", policy=None),
        user,
        {"event": "user_featurization", "timestamp": float(next(_clock)), "use_text_for_featurization": False},
        action_event("action_extract_slots", policy=None),
        *(after_user or []),
    ]
    all_slots = {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()}
    all_slots.update(slots or {})
    call: dict[str, Any] = {
        "next_action": action,
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": all_slots,
            "latest_message": user["parse_data"],
            "latest_event_time": user["timestamp"],
            "followup_action": None,
            "paused": False,
            "events": events,
            "latest_input_channel": "rest",
            "active_loop": active_loop or {},
            "latest_action": {"action_name": "action_extract_slots"},
            "latest_action_name": "action_extract_slots",
        },
        "version": version,
    }
    if domain is not None:
        call["domain"] = domain
    return call


def answer_call(action: str, value: str, question: str, sender: str = "rasa-user-1") -> dict[str, Any]:
    text = button("answer", answer=value, question=question)
    return action_call(action, sender, text=text, intent="answer", entities={"answer": value, "question": question})


def run(client: TestClient, call: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/rasa/webhook", json=call)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def slots_of(result: dict[str, Any]) -> dict[str, Any]:
    assert all(e["event"] == "slot" for e in result["events"])
    return {e["name"]: e["value"] for e in result["events"]}


def texts(result: dict[str, Any]) -> list[str]:
    return [r["text"] for r in result["responses"]]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path, FIXTURE_CONTENT))) as test_client:
        yield test_client


# --- Endpoints ----------------------------------------------------------------------------------


def test_health_and_actions(client: TestClient) -> None:
    assert client.get("/rasa/health").json() == {"status": "ok"}
    names = [item["name"] for item in client.get("/rasa/actions").json()]
    assert set(names) == EXPECTED_ACTIONS
    assert len(names) == len(set(names))


@pytest.mark.slow  # a fresh interpreter: this process has imported rasa_sdk already
def test_rasa_sdk_is_imported_only_when_rasa_is_used(tmp_path: Path) -> None:
    script = f"""
import sys
from fastapi.testclient import TestClient
from app.main import create_app
from tests.conftest import FIXTURE_CONTENT, make_settings
from pathlib import Path
with TestClient(create_app(make_settings(Path({str(tmp_path)!r}), FIXTURE_CONTENT))) as client:
    client.get("/api/v1/reference/levels")
    before = "rasa_sdk" in sys.modules or "sanic" in sys.modules
    client.get("/rasa/health")
    print(before, "rasa_sdk" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_deflate_compressed_body_is_accepted(client: TestClient) -> None:
    body = zlib.compress(json.dumps(action_call("action_threshold_start")).encode())
    response = client.post(
        "/rasa/webhook", content=body, headers={"Content-Encoding": "deflate", "Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["responses"][1]["text"] == "Is a child in immediate danger?"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(b"", {}, id="empty"),
        pytest.param(b"null", {}, id="json-null"),
        pytest.param(b"{not json", {}, id="invalid-json"),
        pytest.param(b"[1, 2]", {}, id="not-an-object"),
        pytest.param(b"not deflated", {"Content-Encoding": "deflate"}, id="invalid-deflate"),
        pytest.param(b'{"next_action": "action_threshold_start", "tracker": {}}', {}, id="tracker-without-sender"),
    ],
)
def test_empty_or_invalid_body_is_400(client: TestClient, body: bytes, headers: dict[str, str]) -> None:
    response = client.post("/rasa/webhook", content=body, headers={"Content-Type": "application/json", **headers})
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid body request"}


def test_call_without_an_action_returns_null(client: TestClient) -> None:
    call = action_call("action_threshold_start")
    del call["next_action"]
    response = client.post("/rasa/webhook", json=call)
    assert response.status_code == 200
    assert response.json() is None


def test_unknown_action_is_404_with_its_name(client: TestClient) -> None:
    response = client.post("/rasa/webhook", json=action_call("action_does_not_exist"))
    assert response.status_code == 404
    assert response.json() == {
        "error": "No registered action found for name 'action_does_not_exist'.",
        "action_name": "action_does_not_exist",
    }


def test_missing_domain_is_449_and_the_retry_with_the_domain_succeeds(client: TestClient) -> None:
    # Rasa >= 3.9 first posts only a digest; 449 makes it retry with the domain, which is then cached.
    first = action_call("action_threshold_start", domain=None)
    first["domain_digest"] = "digest-1"
    response = client.post("/rasa/webhook", json=first)
    assert response.status_code == 449
    assert response.json()["action_name"] == "action_threshold_start"
    assert "domain" in response.json()["error"]

    retry = dict(first, domain=DOMAIN)
    assert client.post("/rasa/webhook", json=retry).status_code == 200
    # Same digest, no domain: the cached domain is used.
    assert client.post("/rasa/webhook", json=first).status_code == 200
    # A new digest without the domain needs the domain again.
    changed = dict(first, domain_digest="digest-2")
    assert client.post("/rasa/webhook", json=changed).status_code == 449


def test_rejection_is_400_with_the_action_name(client: TestClient) -> None:
    run(client, action_call("action_threshold_start"))
    # A message that holds no answer: the answer action rejects so Rasa's policies can choose another.
    response = client.post("/rasa/webhook", json=action_call("action_threshold_answer", text="hmm", intent="greet"))
    assert response.status_code == 400
    assert response.json() == {"error": "The latest message holds no answer.", "action_name": "action_threshold_answer"}


def test_version_mismatch_is_logged_once_as_a_warning(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="threshold.rasa"):
        run(client, action_call("action_threshold_start", version="3.1.0"))
        run(client, action_call("action_threshold_ask", version="3.1.0"))
        run(client, action_call("action_threshold_ask", version=None))
    warnings = [r.getMessage() for r in caplog.records if r.name == "threshold.rasa"]
    assert len(warnings) == 2
    assert "rasa version 3.1.0" in warnings[0]
    assert "old version of rasa" in warnings[1]


# --- Actions ------------------------------------------------------------------------------------


def test_start_utters_the_safety_line_and_the_first_question_with_yes_no_buttons(client: TestClient) -> None:
    result = run(client, action_call("action_threshold_start"))
    safety, question = result["responses"]
    assert safety["text"] == "If a child is in immediate danger call 999."
    assert question["text"] == "Is a child in immediate danger?"
    assert [b["title"] for b in question["buttons"]] == ["Yes", "No", "Don't know"]
    assert question["buttons"][1]["payload"] == button("answer", answer="no", question="danger")
    assert question["custom"]["threshold_question"]["id"] == "danger"
    assert slots_of(result) == {
        "threshold_answer": None,
        "threshold_level": None,
        "threshold_question": "danger",
        "threshold_complete": False,
    }
    assert stored(client, "rasa", "rasa-user-1").data["state"]["answers"] == {}  # type: ignore[union-attr]


def test_button_answer_then_ask_gives_the_next_question(client: TestClient) -> None:
    run(client, action_call("action_threshold_start"))
    result = run(client, answer_call("action_threshold_answer", "no", "danger"))
    assert result["responses"] == []
    assert slots_of(result)["threshold_question"] == "school"
    asked = run(client, action_call("action_threshold_ask", text="/answer", intent="answer"))
    (question,) = asked["responses"]
    assert question["text"] == "How is attendance?"
    assert [b["title"] for b in question["buttons"]] == ["Good", "Below 90%", "Below 50%", "Don't know"]


def test_typed_answers_come_from_the_intent_or_the_answer_slot(client: TestClient) -> None:
    run(client, action_call("action_threshold_start"))
    run(client, action_call("action_threshold_answer", text="nope", intent="deny"))
    result = run(
        client,
        action_call(
            "action_threshold_answer", text="below 90", intent="inform", slots={"threshold_answer": "Below 90%"}
        ),
    )
    assert slots_of(result)["threshold_question"] == "home_worries"
    answers = stored(client, "rasa", "rasa-user-1").data["state"]["answers"]  # type: ignore[union-attr]
    assert answers == {"danger": "no", "school": "low"}


def test_an_invalid_answer_is_explained_and_not_stored(client: TestClient) -> None:
    run(client, action_call("action_threshold_start"))
    result = run(client, answer_call("action_threshold_answer", "sometimes", "danger"))
    message, asked_again = texts(result)
    assert message.startswith("Sorry, I could not take that answer.")
    assert "yes, no, unknown" in message
    assert [b["title"] for b in result["responses"][1]["buttons"]] == ["Yes", "No", "Don't know"]  # the choices again
    assert "immediate danger" in asked_again
    assert slots_of(result)["threshold_question"] == "danger"


def test_answer_without_an_assessment_says_how_to_start(client: TestClient) -> None:
    result = run(client, answer_call("action_threshold_answer", "no", "danger", sender="nobody-yet"))
    assert texts(result) == ["There is no assessment in progress. Say 'start' to begin one."]


def test_immediate_danger_answer_brings_the_999_alert(client: TestClient) -> None:
    run(client, action_call("action_threshold_start"))
    result = run(client, answer_call("action_threshold_answer", "yes", "danger"))
    (alert,) = result["responses"]
    assert alert["custom"]["threshold_alert"] == "immediate_danger"
    assert "Call 999 now" in alert["text"]
    links = alert["custom"]["links"]
    assert links and all(link["url"].startswith("tel:") and " " not in link["url"] for link in links)
    assert len({link["url"] for link in links}) == len(links)  # no number twice


def walk_to_outcome(client: TestClient, sender: str = "rasa-user-1") -> dict[str, Any]:
    run(client, action_call("action_threshold_start", sender))
    for question, value in [("danger", "no"), ("school", "low"), ("home_worries", "housing,abuse"), ("staff", "no")]:
        result = run(client, answer_call("action_threshold_answer", value, question, sender))
        assert slots_of(result)["threshold_complete"] is False
    last = run(client, answer_call("action_threshold_answer", "no", "early_help", sender))
    assert slots_of(last)["threshold_complete"] is True
    return run(client, action_call("action_threshold_outcome", sender, text="/answer", intent="answer"))


def test_outcome_gives_level_reasons_and_routes(client: TestClient) -> None:
    result = walk_to_outcome(client)
    (message,) = result["responses"]
    outcome = message["custom"]["threshold_outcome"]
    assert message["text"].startswith(f"Level {outcome['level']}: {outcome['level_name']}.")
    assert message["text"].count(f"Level {outcome['level']}:") == 1
    assert outcome["level"] == 3  # two unmet needs in different domains (fixture decision rules)
    assert "Why this level:" in message["text"]
    assert outcome["routes"]
    assert slots_of(result)["threshold_level"] == 3
    answers = stored(client, "rasa", "rasa-user-1").data["state"]["answers"]  # type: ignore[union-attr]
    assert answers["home_worries"] == ["housing", "abuse"]


def test_multiple_choice_buttons_include_none_of_these(client: TestClient) -> None:
    run(client, action_call("action_threshold_start"))
    run(client, answer_call("action_threshold_answer", "no", "danger"))
    run(client, answer_call("action_threshold_answer", "good", "school"))
    (question,) = run(client, action_call("action_threshold_ask"))["responses"]
    titles = [b["title"] for b in question["buttons"]]
    assert titles == ["Poor housing", "Domestic abuse", "Missed health checks", "None of these", "Don't know"]
    none = question["buttons"][3]["payload"]
    result = run(client, answer_call("action_threshold_answer", "none", "home_worries"))
    assert none == button("answer", answer="none", question="home_worries")
    assert slots_of(result)["threshold_question"] == "staff"


def test_state_is_shared_by_action_servers_on_one_store(tmp_path: Path) -> None:
    # Two app processes (two action servers) behind one Rasa, on one SQLite file.
    settings = make_settings(tmp_path, FIXTURE_CONTENT)
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        run(first, action_call("action_threshold_start"))
        run(second, answer_call("action_threshold_answer", "no", "danger"))
        (question,) = run(first, action_call("action_threshold_ask"))["responses"]
        assert question["text"] == "How is attendance?"


def test_a_lost_race_is_retried_on_the_fresh_state(tmp_path: Path) -> None:
    from app.rasa.actions import ActionContext, update_state

    class RacingStore:
        """Another process writes between our read and our first write."""

        def __init__(self) -> None:
            self.inner = open_store(f"sqlite:///{tmp_path}/race.db")
            self.raced = False

        async def get(self, kind: str, key: str) -> Any:
            return await self.inner.get(kind, key)

        async def put(self, kind: str, key: str, data: dict[str, Any], ttl: int, expected_version: int | None) -> int:
            if not self.raced:
                self.raced = True
                await self.inner.put(kind, key, {"state": {"answers": {"danger": "no"}}}, ttl, expected_version)
                raise Conflict("lost the race")
            return await self.inner.put(kind, key, data, ttl, expected_version)

    class State:
        content = None
        store = RacingStore()

    seen: list[Any] = []

    def change(state: Any) -> Any:
        seen.append(state)
        return {"answers": {**(state or {}).get("answers", {}), "school": "low"}}

    context = ActionContext(app_state=State(), ttl_seconds=60)  # type: ignore[arg-type]
    result = asyncio.run(update_state(context, "s", change))
    assert seen == [None, {"answers": {"danger": "no"}, "order": [], "prefilled": []}]  # read as a typed State
    assert result == {"answers": {"danger": "no", "school": "low"}}


def test_triage_lists_what_it_recognised_and_stores_no_free_text(client: TestClient) -> None:
    description = "Jake Smith has poor attendance at school."
    result = run(client, action_call("action_threshold_triage", text=description, intent="describe_concern"))
    first = result["responses"][0]["text"]
    assert first.startswith("From your description I recognised: ")
    assert "Attendance below 90%" in first and "(matched 'poor attendance')" in first
    assert "Level" not in first  # no level from the description alone
    assert "Jake" not in json.dumps(result)
    question = result["responses"][-1]
    assert question["text"].startswith("Is a child in immediate danger?")  # danger is always asked first
    record = stored(client, "rasa", "rasa-user-1")
    assert record is not None
    assert record.data["state"]["answers"] == {}  # nothing is recorded from the words until it is answered
    assert "Jake" not in json.dumps(record.data) and "attendance" not in json.dumps(record.data)


def test_a_typed_danger_yes_brings_the_act_now_steps(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path))) as real:  # the real content, with its act_now route
        run(real, action_call("action_threshold_start", "d1"))
        call = action_call("action_threshold_answer", "d1", text="yes he's going home tonight", intent="inform")
        responses = run(real, call)["responses"]
    alert = next(r for r in responses if (r.get("custom") or {}).get("threshold_alert") == "immediate_danger")
    assert "Keep the child with you and safe." in alert["text"] and "Do not tell or warn that person" in alert["text"]
    assert {"tel:999", "tel:01925443322"} <= {link["url"] for link in alert["custom"]["links"]}
    assert "Recorded: Yes" in [r.get("text") for r in responses]


def test_a_typed_age_classified_as_the_answer_intent_is_recorded(tmp_path: Path) -> None:
    """A typed "7" reaches the action as Rasa's NLU sends it (intent `answer`, no entities) and is read as the band."""
    with TestClient(create_app(make_settings(tmp_path))) as real:  # the real content
        run(real, action_call("action_threshold_start", "a1"))
        for question in ("danger_now", "injury_now", "disclosure_now"):
            run(real, answer_call("action_threshold_answer", "no", question, sender="a1"))
        result = run(real, action_call("action_threshold_answer", "a1", text="7", intent="answer"))
        answers = stored(real, "rasa", "a1").data["state"]["answers"]  # type: ignore[union-attr]
    assert "Recorded: 5 to 11 years" in texts(result)
    assert answers["age_stage"] == "age_5_to_11"
    assert slots_of(result)["threshold_question"] != "age_stage"


def test_every_typed_answer_example_in_the_nlu_is_an_answer_the_reader_can_read() -> None:
    """The `answer` intent's examples send typed words to action_threshold_answer; each must read as an answer to
    some question of the real content, or the action would reject it (what "7" needed: it was escalation_dates)."""
    from app.content import load_content
    from app.conversation.answers import read_answer

    content = load_content(REPO_ROOT)
    block = next(b for b in load_rasa_yaml("data/nlu.yml")["nlu"] if b["intent"] == "answer")
    examples = [line.removeprefix("- ").strip() for line in block["examples"].splitlines() if line.strip()]
    assert "7" in examples
    unread = [e for e in examples if all(read_answer(q, e) is None for q in content.assessment.questions)]
    assert unread == []


def test_actions_set_only_slots_the_shipped_domain_has(tmp_path: Path) -> None:
    """Rasa 3.6 logs an error for each event that sets a slot its domain lacks (triage set threshold_description)."""
    description = "Year 9 boy, attendance has dropped to 85% this term and he seems withdrawn."
    with TestClient(create_app(make_settings(tmp_path))) as real:  # the real content
        results = [
            run(real, action_call("action_threshold_triage", "s1", text=description, intent="describe_concern")),
            run(real, action_call("action_threshold_start", "s1")),
            run(real, answer_call("action_threshold_answer", "no", "danger_now", sender="s1")),
            run(real, action_call("action_threshold_ask", "s1")),
            run(real, action_call("action_threshold_outcome", "s1", text="/show_outcome", intent="show_outcome")),
        ]
    set_slots = {name for result in results for name in slots_of(result)}
    assert "threshold_question" in set_slots
    assert set_slots <= set(DOMAIN["slots"])


def test_a_danger_description_brings_the_999_alert_at_once(tmp_path: Path) -> None:
    description = "She says dad hit her with a belt last night and she is scared to go home tonight."
    with TestClient(create_app(make_settings(tmp_path))) as real:  # the real content
        result = run(real, action_call("action_threshold_triage", text=description, intent="describe_concern"))
    alerts = [r for r in result["responses"] if (r.get("custom") or {}).get("threshold_alert") == "immediate_danger"]
    assert alerts and "Call 999" in alerts[0]["text"]


def test_escalation_dates_from_a_start_date(client: TestClient) -> None:
    call = action_call(
        "action_threshold_escalation",
        text="the disagreement started on 2025-03-07",
        intent="escalation_dates",
        entities={"date": "2025-03-07"},
    )
    (message,) = texts(run(client, call))
    assert message.startswith("If the disagreement started on Friday 07 March 2025 (working days):")
    assert "Step 1, Worker to worker: 07 March to Friday 07 March 2025." in message
    assert "Step 2, Manager to manager: 11 March to Wednesday 19 March 2025." in message


def test_escalation_timeline_and_unknown_timeline(client: TestClient) -> None:
    call = action_call(
        "action_threshold_escalation",
        intent="escalation_dates",
        entities={"timeline": "rapid_review", "date": "2025-02-10"},
    )
    (message,) = texts(run(client, call))
    assert "due by Monday 03 March 2025" in message
    call["tracker"]["latest_message"]["entities"][0]["value"] = "no_such_timeline"
    (message,) = texts(run(client, call))
    assert message.startswith("There is no timeline 'no_such_timeline'.")


def test_escalation_defaults_to_today(client: TestClient) -> None:
    (message,) = texts(run(client, action_call("action_threshold_escalation", intent="escalation_dates")))
    assert f"{date.today():%A %d %B %Y}" in message


def test_partnership_question_is_answered_from_the_content(client: TestClient) -> None:
    content = client.app.state.content  # type: ignore[attr-defined]
    entry = content.partnership.entries[0]
    result = run(
        client, action_call("action_threshold_ask_partnership", text=entry.title, intent="partnership_question")
    )
    (message,) = result["responses"]
    assert message["custom"]["threshold_answer"]["entry_id"] == entry.id
    assert message["text"].startswith(entry.answer.strip()[:40])


# --- The form -----------------------------------------------------------------------------------


def form_call(value: str, sender: str = "form-user", *, slot_after_form: bool = True) -> dict[str, Any]:
    """What Rasa's FormAction sends validate_<form>: the candidate slot after the form's own action event."""
    entities = {"answer": value}
    candidates = [slot_event("threshold_answer", value)]
    after = [*candidates, action_event("threshold_assessment_form")]
    if slot_after_form:
        after += candidates
    return action_call(
        "validate_threshold_assessment_form",
        sender,
        text=button("answer", answer=value),
        intent="answer",
        entities=entities,
        slots={"threshold_answer": value, "requested_slot": "threshold_answer"},
        after_user=after,
        active_loop={"name": "threshold_assessment_form"},
    )


def test_form_validation_stores_a_valid_answer_and_asks_again(client: TestClient) -> None:
    result = run(client, form_call("no"))
    assert slots_of(result) == {"threshold_answer": None, "threshold_question": "school", "threshold_complete": False}
    assert stored(client, "rasa", "form-user").data["state"]["answers"] == {"danger": "no"}  # type: ignore[union-attr]
    # The form then asks for the slot through action_ask_threshold_answer: the next question.
    (question,) = run(client, action_call("action_ask_threshold_answer", "form-user"))["responses"]
    assert question["text"] == "How is attendance?"


def test_form_validation_rejects_an_invalid_answer(client: TestClient) -> None:
    run(client, form_call("no"))
    result = run(client, form_call("purple"))
    assert slots_of(result) == {"threshold_answer": None}
    (message,) = texts(result)
    assert "could not tell which answer that is" in message and "good, low, very_low, unknown" in message


def test_form_validation_completes_the_form_after_the_last_question(client: TestClient) -> None:
    for value in ["no", "Good", "none", "no"]:
        assert slots_of(run(client, form_call(value)))["threshold_answer"] is None
    result = run(client, form_call("no"))
    assert slots_of(result) == {"threshold_answer": "no", "threshold_question": None, "threshold_complete": True}


def test_form_validation_ignores_slots_not_set_after_the_last_action(client: TestClient) -> None:
    result = run(client, form_call("no", slot_after_form=False))
    assert result == {"events": [], "responses": []}
    assert stored(client, "rasa", "form-user") is None


# --- The shipped Rasa assistant -----------------------------------------------------------------


def load_rasa_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((RASA_DIR / name).read_text())  # type: ignore[no-any-return]


def story_steps(data: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
    for block in data.get(key, []):
        for step in block["steps"]:
            if "or" in step:
                yield from step["or"]
            else:
                yield step


def test_domain_actions_are_exactly_the_served_actions(client: TestClient) -> None:
    served = {item["name"] for item in client.get("/rasa/actions").json()}
    assert set(DOMAIN["actions"]) == served


def test_rasa_files_reference_only_what_the_domain_defines() -> None:
    intents = set(DOMAIN["intents"])
    actions = set(DOMAIN["actions"]) | set(DOMAIN["responses"]) | set(DOMAIN["forms"])
    slots = set(DOMAIN["slots"])
    entities = set(DOMAIN["entities"])
    nlu = load_rasa_yaml("data/nlu.yml")
    assert {block["intent"] for block in nlu["nlu"]} <= intents
    for block in nlu["nlu"]:
        for name in re.findall(r"\]\((\w+)\)", block["examples"]):
            assert name in entities, f"{block['intent']}: unknown entity {name}"
    rules, stories = load_rasa_yaml("data/rules.yml"), load_rasa_yaml("data/stories.yml")
    for data, key in ((rules, "rules"), (stories, "stories")):
        for step in story_steps(data, key):
            if "intent" in step:
                assert step["intent"] in intents | {"nlu_fallback"}, step
            elif "action" in step:
                assert step["action"] in actions, step
            elif "slot_was_set" in step:
                for item in step["slot_was_set"]:
                    assert set(item) <= slots, step
            else:
                assert "active_loop" in step, step
    for name, spec in DOMAIN["slots"].items():
        for mapping in spec["mappings"]:
            assert mapping.get("entity", next(iter(entities))) in entities, name
            assert mapping.get("intent", next(iter(intents))) in intents, name
    for form in DOMAIN["forms"].values():
        assert set(form["required_slots"]) <= slots
    # Every button payload in the responses names an intent of the domain.
    for variants in DOMAIN["responses"].values():
        for variant in variants:
            for item in variant.get("buttons", []):
                assert item["payload"].lstrip("/").split("{")[0] in intents


def test_rasa_endpoints_and_credentials() -> None:
    assert load_rasa_yaml("endpoints.yml")["action_endpoint"]["url"].endswith("/rasa/webhook")
    assert "rest" in load_rasa_yaml("credentials.yml")
    config = load_rasa_yaml("config.yml")
    assert config["recipe"] == "default.v1" and config["language"] == "en"


def test_openapi_lists_the_rasa_endpoints_with_response_models(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    webhook = paths["/rasa/webhook"]["post"]
    assert {"200", "400", "404", "449", "500"} <= set(webhook["responses"])
    assert "schema" in webhook["responses"]["200"]["content"]["application/json"]
    assert "requestBody" in webhook
    assert "schema" in paths["/rasa/actions"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "schema" in paths["/rasa/health"]["get"]["responses"]["200"]["content"]["application/json"]
    rest = paths["/webhooks/rest/webhook"]["post"]
    assert rest["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"


# --- The REST channel ---------------------------------------------------------------------------


def say(client: TestClient, sender: str, message: str) -> list[dict[str, Any]]:
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()
    assert replies and all(r["recipient_id"] == sender for r in replies)
    for reply in replies:
        assert set(reply) <= {"recipient_id", "text", "buttons", "custom"}  # Rasa's shape, no null keys
        assert None not in reply.values()
    return replies


def click(replies: list[dict[str, Any]], title: str) -> str:
    """The payload of the button titled `title` in the last message that has buttons."""
    buttons = [r for r in replies if "buttons" in r][-1]["buttons"]
    return next(b["payload"] for b in buttons if b["title"] == title)


def test_rest_channel_walks_to_an_outcome_by_buttons(client: TestClient) -> None:
    sender = "webchat-7d1e"
    replies = say(client, sender, "hi")
    assert "If a child is in immediate danger call 999." in replies[0]["text"]
    replies = say(client, sender, click(replies, "Which level is this?"))
    clicked = []
    for _ in range(12):
        if any(r.get("custom", {}).get("threshold", {}).get("kind") == "outcome" for r in replies):
            break
        titles = [b["title"] for b in [r for r in replies if "buttons" in r][-1]["buttons"]]
        if titles == ["Yes", "No", "Don't know"]:
            choice = "No"
        elif "None of these" in titles:
            choice = "None of these"
        else:
            choice = titles[0]
        clicked.append(choice)
        replies = say(client, sender, click(replies, choice))
    assert clicked == ["No", "Good", "None of these", "No", "No"]
    outcome_text = next(r["text"] for r in replies if "Level 1" in (r.get("text") or ""))
    assert "Universal" in outcome_text
    custom = next(r["custom"]["threshold"] for r in replies if "custom" in r)
    assert custom["kind"] == "outcome" and "Level 1" in custom["summary"]
    state = stored(client, "rest", sender).data["state"]  # type: ignore[union-attr]
    assert state["assessment"]["answers"] == {
        "danger": "no",
        "school": "good",
        "home_worries": [],
        "staff": "no",
        "early_help": "no",
    }


def test_rest_channel_keeps_senders_apart_and_reads_typed_answers(client: TestClient) -> None:
    replies = say(client, "a", "which level is this?")
    assert [b["title"] for b in replies[-1]["buttons"]] == ["Yes", "No", "Don't know"]
    say(client, "a", "not sure")
    say(client, "b", "hello")
    assert stored(client, "rest", "a").data["state"]["assessment"]["answers"] == {"danger": "unknown"}  # type: ignore[union-attr]
    assert stored(client, "rest", "b").data["state"]["assessment"] is None  # type: ignore[union-attr]
    # Once a child may be in danger, every reply starts with the alert, and its kind travels as `custom`.
    replies = say(client, "c", "start")
    replies = say(client, "c", click(replies, "Yes"))
    assert "999" in replies[0]["text"]
    assert replies[1]["custom"]["threshold"]["kind"] == "act_now"
    assert "tel:999" in {link["url"] for link in replies[1]["custom"]["threshold"]["links"]}


def test_rest_channel_needs_a_sender(client: TestClient) -> None:
    assert client.post("/webhooks/rest/webhook", json={"message": "hi"}).status_code == 422
    assert client.get("/webhooks/rest/").json() == {"status": "ok"}


def test_rest_channel_evidence_items_can_be_removed_with_buttons(tmp_path: Path) -> None:
    """Rasa widgets show buttons only: each recognised item has a Remove button, and removing one keeps the rest."""
    with TestClient(create_app(make_settings(tmp_path))) as real:  # the real content
        replies = say(real, "ev", "Year 9 boy, attendance has dropped to 85% this term and he seems withdrawn.")
        evidence = next(r for r in replies if (r.get("custom") or {}).get("threshold", {}).get("kind") == "evidence")
        items = evidence["custom"]["threshold"]["evidence"]
        removes = [b for r in replies for b in r.get("buttons", []) if b["title"].startswith("Remove: ")]
        assert len(removes) == len(items) >= 2
        replies = say(real, "ev", removes[0]["payload"])
        left = stored(real, "rest", "ev").data["state"]["evidence"]  # type: ignore[union-attr]
        assert items[0]["id"] not in left and items[1]["id"] in [*left, "age_stage"]
        assert not any("custom" in r and r["custom"]["threshold"]["kind"] == "recorded" for r in replies)
