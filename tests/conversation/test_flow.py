"""The conversation on the real content (issue 15): act now on danger, free text as evidence, outcomes that fit a
phone, tap-to-call numbers, plain answers to plain questions, and outcomes counted from every channel."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.content.cases import complete
from app.conversation.chat import ChatState, Message, Turn, reply
from app.conversation.messages import payload
from app.core import engine, render
from app.core.models import Content
from app.core.training import walkthrough
from app.main import create_app
from app.web.analytics import read_counts
from tests.conftest import make_settings
from tests.core.test_worked_cases import CASES
from tests.rasa.test_rasa import action_call, answer_call

PHONE = re.compile(r"\b(?:999|0\d{3,4} ?\d{6})\b")


class Chat:
    def __init__(self, content: Content) -> None:
        self.content = content
        self.state: dict[str, Any] | None = None
        self.last: list[Message] = []

    def send(self, text: str | None = None, button: str | None = None) -> list[Message]:
        state, self.last, _ = reply(self.content, self.state, Turn(text=text, payload=button), today=date(2026, 3, 2))
        self.state = json.loads(json.dumps(state.model_dump()))  # as the store keeps it
        return self.last

    @property
    def chat_state(self) -> ChatState:
        return ChatState.model_validate(self.state)

    def kinds(self) -> list[str]:
        return [msg.kind for msg in self.last]


@pytest.fixture
def chat(content: Content) -> Chat:
    return Chat(content)


def tel_links(message: Message) -> list[str]:
    return [link.url for link in message.links if link.url.startswith("tel:")]


def assert_every_number_taps(message: Message) -> None:
    """Every phone number in the message is a tel: link (no spaces), and none is listed twice."""
    urls = tel_links(message)
    assert len(urls) == len(set(urls)), urls
    for number in PHONE.findall(message.text):
        assert "tel:" + number.replace(" ", "") in urls, number


# --- Act now ------------------------------------------------------------------------------------


def test_a_typed_danger_yes_brings_the_act_now_card_and_offers_the_rest(chat: Chat, content: Content) -> None:
    chat.send(button=payload("assess"))
    chat.send("yes he's going home tonight")
    assert chat.kinds()[0] == "act_now"
    assert "question" not in chat.kinds()  # the rest of the questions are offered, not forced
    card = chat.last[0]
    route = content.routes["act_now"]
    for step in route.what_to_do.splitlines():
        assert step in card.text
    assert {"tel:999", "tel:01925443322"} <= set(tel_links(card))
    assert_every_number_taps(card)
    assert [b.title for b in card.buttons] == ["Go on with the questions", "Stop here"]
    chat.send("no")  # no question is showing: nothing is answered unseen
    assert chat.chat_state.assessment is not None and list(chat.chat_state.assessment["answers"]) == ["danger_now"]
    assert chat.kinds() == ["alert", "text"] and "go on" in chat.last[-1].text
    chat.send(button=payload("go_on"))
    assert chat.kinds() == ["alert", "question"]  # the alert stays on top, the questions carry on
    assert_every_number_taps(chat.last[0])
    names = [line for line in chat.last[0].text.splitlines() if line.startswith("- ")]
    assert len(names) == len(set(names))  # no contact twice (the MASH was listed twice)
    chat.send("stop")
    assert chat.kinds()[0] == "alert" and chat.kinds()[-1] == "outcome"
    outcome = chat.last[-1]
    assert outcome.text.startswith("Immediate danger: call 999 now")
    assert "provisional" in outcome.text
    assert "act_now" not in chat.kinds()  # the card is shown once


def test_a_danger_description_brings_the_act_now_card_before_anything_is_confirmed(chat: Chat) -> None:
    chat.send()
    chat.send("Year 6 girl says dad hit her with a belt last night and she is scared to go home tonight.")
    assert chat.kinds()[0] == "act_now"
    assert chat.kinds()[-1] == "evidence"
    assert chat.chat_state.assessment is None  # nothing recorded until it is confirmed


# --- Free text as evidence ----------------------------------------------------------------------

DESCRIPTION = "Year 9 boy, attendance has dropped to 85% this term and he seems withdrawn and low in mood."


def test_a_description_lists_each_item_with_its_words_and_no_level(chat: Chat, content: Content) -> None:
    chat.send()
    chat.send(DESCRIPTION)
    (message,) = chat.last
    assert message.kind == "evidence"
    assert not re.search(r"\blevel \d", message.text, re.IGNORECASE)  # no level from the description alone
    by_id = {item.id: item for item in message.evidence}
    assert "attendance_below_90" in by_id and "age_stage" in by_id
    for item in message.evidence:
        assert item.matched, item.id
        for words in item.matched:
            assert words in DESCRIPTION  # quoted as written
            assert f"\u201c{words}\u201d" in message.text
        assert json.loads(item.remove.payload.removeprefix("/remove")) == {"id": item.id}
    assert by_id["age_stage"].label == "Age: 12 to 17 years" and by_id["age_stage"].matched == ["Year 9"]
    stored = json.dumps(chat.state)
    assert "withdrawn" not in stored and "85" not in stored  # the words are never kept


def test_items_are_removed_one_at_a_time_and_only_confirmed_ones_are_recorded(chat: Chat, content: Content) -> None:
    chat.send()
    chat.send(DESCRIPTION)
    recognised = [item.id for item in chat.last[0].evidence]
    chat.send(button=payload("remove", id="attendance_below_90"))
    assert "Removed: The child's attendance is below 90%" in chat.last[0].text
    left = [item.id for item in chat.last[0].evidence]
    assert left == [i for i in recognised if i != "attendance_below_90"]
    chat.send("not the age")
    assert [item.id for item in chat.last[0].evidence] == [i for i in left if i != "age_stage"]
    chat.send("confirm")
    assessment = chat.chat_state.assessment
    assert assessment is not None
    assert "education_detail" not in assessment["answers"] and "age_stage" not in assessment["answers"]
    state = assessment
    while (question := engine.pending_question(content, state)) is not None:  # finish with no further concerns
        value = "no" if question.kind == "yes_no" else [] if question.kind == "multiple_choice" else "unknown"
        state = engine.answer(content, state, question.id, value)
    summary = render.summary_text(engine.outcome(content, state))
    assert "below 90" not in summary.lower()  # removed, so never in the summary
    assert "(from description, confirmed)" in summary  # what was confirmed is marked as such


def test_the_age_in_a_description_prefills_the_age_question(chat: Chat) -> None:
    chat.send()
    chat.send("She is 14 years old and her mood has been low for months, she seems withdrawn.")
    chat.send(button=payload("confirm"))
    assessment = chat.chat_state.assessment
    assert assessment is not None
    assert assessment["answers"]["age_stage"] == "age_12_to_17"
    assert "age_stage" in assessment["prefilled"]


# --- Outcomes that fit a phone ------------------------------------------------------------------


def outcomes(content: Content) -> Iterator[tuple[str, engine.Outcome]]:
    for scenario in content.scenarios.values():
        yield scenario.id, walkthrough(content, scenario).outcome
    for case in CASES:
        yield case["id"], engine.outcome(content, complete(content, case["answers"]))


def test_every_outcome_card_fits_a_phone_and_names_each_contact_once(content: Content) -> None:
    levels = set()
    for name, outcome in outcomes(content):
        card = render.card(outcome, content)
        assert render.words(card.top) <= render.CARD_WORD_LIMIT, name
        assert card.top.startswith(outcome.summary), name  # the level first
        sections = "\n".join(part.text for part in card.sections)
        dsl = content.contacts["dsl"].name
        assert card.top.count("your designated safeguarding lead (DSL)") == 1 and dsl not in sections, name
        contact_lines = [line.strip() for part in card.sections for line in part.text.splitlines()]
        for contact in card.contacts:
            if contact.phone:
                assert sum(render.contact_line(contact) == line.lstrip("- ") for line in contact_lines) <= 1, name
        titles = {part.title for part in card.sections}
        assert titles >= {"Why this level", "Your answers", "Consent", "If you disagree", "About this guidance"}, name
        assert outcome.content_version in card.sections[-1].text, name  # explainable: answers, reasons, version
        levels.add(outcome.level)
    assert levels == {1, 2, 3, 4}


def test_the_chat_outcome_is_the_card_with_sections_and_tap_to_call(chat: Chat) -> None:
    chat.send(button=payload("assess"))
    for question_id, value in [("danger_now", "no"), ("injury_now", "no"), ("disclosure_now", "no")]:
        chat.send(button=payload("answer", question_id=question_id, value=value))
    while chat.last[-1].kind == "question":
        buttons = list(chat.last[-1].buttons)
        choice = next((b for b in buttons if b.title in ("No", "None of these", "5 to 11 years")), buttons[0])
        chat.send(button=choice.payload)
    outcome = chat.last[-1]
    assert outcome.kind == "outcome"
    assert render.words(outcome.text) <= render.CARD_WORD_LIMIT
    assert outcome.sections and outcome.summary
    assert_every_number_taps(outcome)
    for section in outcome.sections:
        for number in PHONE.findall(section.text):
            assert "tel:" + number.replace(" ", "") in tel_links(outcome), number


# --- Plain questions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "number"),
    [
        ("what's the MASH number", "01925 443322"),
        ("LADO phone number", "01925 442079"),
        ("what's a LADO?", "01925 442079"),
        ("how do I make a referral", "01925 443322"),
        ("out of hours number", "01925 444400"),
    ],
)
def test_plain_questions_get_plain_answers_without_starting_an_assessment(
    chat: Chat, content: Content, asked: str, number: str
) -> None:
    chat.send()
    chat.send(asked)
    assert chat.kinds() == ["text"]
    assert number in chat.last[0].text
    assert_every_number_taps(chat.last[0])
    assert chat.chat_state.assessment is None and chat.chat_state.evidence is None


def test_a_plain_question_mid_assessment_keeps_the_question(chat: Chat) -> None:
    chat.send(button=payload("assess"))
    chat.send("what's the MASH number")
    assert chat.kinds() == ["text", "question"]
    assert "01925 443322" in chat.last[0].text


# --- Analytics from every channel ---------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path))) as test_client:
        yield test_client


def finish_by_buttons(send: Any, first: list[dict[str, Any]]) -> None:
    """Answer every question with No / None of these / the first choice, by button payloads."""
    replies = first
    for _ in range(60):
        with_buttons = [r for r in replies if r.get("buttons")]
        if not with_buttons or any(r.get("kind") == "outcome" for r in replies):
            return
        buttons = with_buttons[-1]["buttons"]
        titles = [b["title"] for b in buttons]
        if "Start again" in titles:
            return
        choice = next((b for b in buttons if b["title"] in ("No", "None of these")), buttons[0])
        replies = send(choice["payload"])
    raise AssertionError("no outcome after 60 answers")


def test_outcomes_are_counted_from_the_chat_the_rest_channel_and_rasa(client: TestClient) -> None:
    response = client.post("/api/v1/chat", json={"payload": payload("assess")}).json()
    session = response["session_id"]

    def chat_send(chosen: str) -> list[dict[str, Any]]:
        return client.post("/api/v1/chat", json={"session_id": session, "payload": chosen}).json()["messages"]  # type: ignore[no-any-return]

    finish_by_buttons(chat_send, response["messages"])
    finish_by_buttons(chat_send, chat_send(payload("outcome")))  # shown again: still counted once

    def rest_send(message: str) -> list[dict[str, Any]]:
        return client.post("/webhooks/rest/webhook", json={"sender": "w1", "message": message}).json()  # type: ignore[no-any-return]

    finish_by_buttons(rest_send, rest_send(payload("assess")))

    client.post("/rasa/webhook", json=action_call("action_threshold_start", "r1"))
    content = client.app.state.content  # type: ignore[attr-defined]
    state = engine.new_state()
    while (question := engine.pending_question(content, state)) is not None:
        value = (
            "no"
            if question.kind == "yes_no"
            else "none"
            if question.kind == "multiple_choice"
            else question.option_values[0]
        )
        client.post("/rasa/webhook", json=answer_call("action_threshold_answer", value, question.id, "r1"))
        state = engine.answer(content, state, question.id, [] if value == "none" else value)
    counts = client.portal.call(read_counts, client.app.state.store)  # type: ignore[attr-defined]
    assert counts["assessments:channel"] == {"chat": 1, "rest": 1, "rasa": 1}
    assert sum(counts["assessments:level"].values()) == 3


@pytest.mark.parametrize(
    "description",
    [
        DESCRIPTION,
        "Baby of 8 weeks has a bruise on his cheek that nobody can explain; mum has low mood.",
        "Mum drinks most days, the flat is damp and the 6 year old is often late and hungry.",
    ],
)
def test_confirmed_items_give_the_answers_the_triage_would_prefill(content: Content, description: str) -> None:
    """The chat keeps only the ids of the items to confirm; confirmed, they give the same answers as the
    triage's own prefill_answers for the whole result."""
    from app.conversation.evidence import suggested_answers
    from app.core.triage import prefill_answers, triage

    result = triage(content, description)
    current = [i.id for i in result.indicators if not i.negated and not i.historic]
    expected = prefill_answers(content, result)
    if result.age_stage is not None:
        assert expected.pop(result.age_stage.question_id) == result.age_stage.value
    assert current and suggested_answers(content, current) == expected


def test_the_card_leads_with_the_gravest_concerns_own_route(content: Content) -> None:
    """An allegation against a worker is level 3, but what to do now is the LADO, not an early help assessment."""
    outcome = walkthrough(content, content.scenarios["allegation_against_a_teaching_assistant"]).outcome
    card = render.card(outcome, content)
    assert render.main_route(outcome, content).id == "lado"  # type: ignore[union-attr]
    assert "LADO" in card.top.splitlines()[1]
    assert content.contacts["lado"].phone in card.top
    # with nothing more specific, the level's own route leads
    plain = walkthrough(content, content.scenarios["attendance_slipping"]).outcome
    assert render.main_route(plain, content) == plain.routes[0]
