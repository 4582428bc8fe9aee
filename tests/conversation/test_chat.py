"""The conversation on the tiny fixture content: turns in, message kinds and buttons out."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from app.conversation.answers import read_answer as parse_answer
from app.conversation.chat import Message, Turn, parse_payload, payload, reply
from app.core import models as m
from app.core.models import Content

YES_NO = ["Yes", "No", "Don't know"]


class Chat:
    """A conversation driven turn by turn, keeping the state between turns as a store would (as JSON)."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.state: dict[str, Any] | None = None
        self.last: list[Message] = []

    def send(self, text: str | None = None, button: str | None = None, raw_payload: str | None = None) -> list[Message]:
        chosen = raw_payload
        if button is not None:
            chosen = next(b.payload for msg in self.last for b in msg.buttons if b.title == button)
        state, messages, _ = reply(self.content, self.state, Turn(text=text, payload=chosen), today=date(2026, 3, 2))
        self.state = json.loads(json.dumps(state.model_dump()))  # what a store keeps must survive JSON
        self.last = messages
        return messages

    def kinds(self) -> list[str]:
        return [msg.kind for msg in self.last]

    def buttons(self) -> list[str]:
        """The buttons of the last message that has any."""
        return next(([b.title for b in msg.buttons] for msg in reversed(self.last) if msg.buttons), [])

    def text(self) -> str:
        return "\n".join(msg.text for msg in self.last)


@pytest.fixture
def chat(fixture_content: Content) -> Chat:
    return Chat(fixture_content)


def start_questions(chat: Chat) -> None:
    chat.send()
    chat.send("which level is this?")


def test_greeting_carries_the_safety_line_and_the_caveat(chat: Chat, fixture_content: Content) -> None:
    chat.send()
    assert chat.kinds() == ["text"]
    assert fixture_content.info.safety_line in chat.text()
    assert fixture_content.info.caveat in chat.text()
    assert "Which level is this?" in chat.buttons()
    assert "Describe the concern" in chat.buttons()


# (turns after "which level is this?", expected kinds of the last response, expected buttons of its last message)
TABLE = [
    pytest.param([], ["question"], YES_NO, id="first question is yes/no danger"),
    pytest.param(
        ["nope"], ["recorded", "question"], ["Good", "Below 90%", "Below 50%", "Don't know"], id="single choice"
    ),
    pytest.param(
        ["no", "good"],
        ["recorded", "question"],
        ["Poor housing", "Domestic abuse", "Missed health checks", "None of these", "Don't know"],
        id="multiple choice",
    ),
    pytest.param(["no", "2", "none of these"], ["recorded", "question"], YES_NO, id="none of these by typing"),
    pytest.param(["no", "dunno", "1, 3"], ["recorded", "question"], YES_NO, id="several options by number"),
    pytest.param(
        ["yes"], ["act_now", "recorded"], ["Go on with the questions", "Stop here"], id="danger: act now, then offered"
    ),
    pytest.param(
        ["yes", "go on"], ["alert", "question"], ["Good", "Below 90%", "Below 50%", "Don't know"], id="then go on"
    ),
    pytest.param(
        ["not sure"], ["alert", "recorded", "question"], ["Good", "Below 90%", "Below 50%", "Don't know"], id="unsure"
    ),
    pytest.param(["blah blah"], ["question"], YES_NO, id="not understood keeps the question"),
]


@pytest.mark.parametrize(("turns", "kinds", "buttons"), TABLE)
def test_turns(chat: Chat, turns: list[str], kinds: list[str], buttons: list[str]) -> None:
    start_questions(chat)
    for turn in turns:
        chat.send(turn)
    assert chat.kinds() == kinds
    assert chat.buttons() == buttons


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("yes", "yes"),
        ("Yep!", "yes"),
        ("yeah", "yes"),
        ("nope", "no"),
        ("No.", "no"),
        ("nah", "no"),
        ("not sure", "unknown"),
        ("dunno", "unknown"),
        ("I don't know", "unknown"),
        ("no idea", "unknown"),
        ("banana", None),
    ],
)
def test_typed_yes_no_answers(fixture_content: Content, typed: str, value: str | None) -> None:
    question = fixture_content.question("danger")
    assert question is not None
    assert parse_answer(question, typed) == value


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("poor housing", ["housing"]),
        ("1, 3", ["housing", "checks"]),
        ("3 and 1", ["checks", "housing"]),
        ("domestic abuse, missed health checks", ["abuse", "checks"]),
        ("poor housng", ["housing"]),  # a small typo
        ("none", []),
        ("not sure", m.UNKNOWN),
        ("7", None),
    ],
)
def test_typed_multiple_choice_answers(fixture_content: Content, typed: str, value: Any) -> None:
    question = fixture_content.question("home_worries")
    assert question is not None
    assert parse_answer(question, typed) == value


def test_a_typed_answer_is_recorded(chat: Chat) -> None:
    start_questions(chat)
    chat.send("nope")
    assert chat.state is not None
    assert chat.state["assessment"]["answers"] == {"danger": "no"}


def test_multiple_choice_by_toggling_then_done(chat: Chat) -> None:
    start_questions(chat)
    chat.send("no")
    chat.send("good")
    chat.send(button="Domestic abuse")
    assert "Domestic abuse (selected)" in chat.buttons()
    assert chat.buttons()[-1] == "Done"
    chat.send(button="Poor housing")
    chat.send(button="Domestic abuse (selected)")  # untick
    chat.send("done")
    assert chat.state is not None
    assert chat.state["assessment"]["answers"]["home_worries"] == ["housing"]
    assert chat.state["selected"] == {}


def test_why_explains_and_keeps_the_buttons(chat: Chat, fixture_content: Content) -> None:
    start_questions(chat)
    chat.send("why are you asking this?")
    question = fixture_content.question("danger")
    assert question is not None
    assert question.why in chat.text()
    assert chat.buttons() == YES_NO


def test_go_back_and_change_my_answer(chat: Chat) -> None:
    start_questions(chat)
    chat.send("no")
    chat.send("good")
    chat.send("go back")
    assert "How is attendance?" in chat.text()
    assert chat.state is not None
    assert "school" not in chat.state["assessment"]["answers"]
    chat.send("change my answer")
    assert "immediate danger" in chat.text()
    assert chat.state["assessment"]["answers"] == {}
    chat.send("back")
    assert "no earlier answer" in chat.text()


def test_start_again_clears_everything(chat: Chat, fixture_content: Content) -> None:
    start_questions(chat)
    chat.send("yes")
    chat.send("start again")
    assert chat.state is not None
    assert chat.state["assessment"] is None
    assert chat.state["danger"] is False
    assert "alert" not in chat.kinds()
    assert fixture_content.info.safety_line in chat.text()


def test_immediate_danger_alert_leads_every_later_response(chat: Chat) -> None:
    start_questions(chat)
    chat.send("yes")
    for turn in ["good", "why", "back", "help", "gibberish"]:
        chat.send(turn)
        assert chat.kinds()[0] == "alert", turn
        assert "999" in chat.last[0].text


def run_to_outcome(chat: Chat) -> None:
    start_questions(chat)
    for turn in ["no", "below 90%", "none", "no", "no"]:
        chat.send(turn)


def test_outcome_has_level_reasons_routes_and_summary(chat: Chat) -> None:
    run_to_outcome(chat)
    outcome = chat.last[-1]
    assert outcome.kind == "outcome"
    assert outcome.text.startswith("Level 2: Early help")  # the top card leads with the level
    sections = {section.title: section.text for section in outcome.sections}
    assert "Attendance below 90%" in sections["Why this level"]
    assert "Offer early help." in outcome.text
    assert outcome.summary is not None and "Level 2: Early help" in outcome.summary
    assert all(link.url.startswith(("https://", "tel:")) for link in outcome.links)
    assert {"Change my last answer", "Start again"} <= {b.title for b in outcome.buttons}


def test_description_is_triaged_confirmed_and_not_stored(chat: Chat) -> None:
    chat.send()
    chat.send(button="Describe the concern")
    chat.send("Jessica Smith, aged 10, has poor attendance this term.")
    assert "Attendance below 90%" in chat.text()
    assert chat.kinds() == ["evidence"]
    assert chat.buttons() == ["Confirm these", "Ask me the questions instead"]
    stored = json.dumps(chat.state)
    assert "Jessica" not in stored and "poor attendance" not in stored
    chat.send(button="Confirm these")
    assert "recorded 1 answer" in chat.text()
    assert chat.state is not None
    assert chat.state["assessment"]["answers"] == {"school": "low"}
    assert chat.buttons() == YES_NO  # the danger question is still asked


def test_description_can_be_turned_down(chat: Chat) -> None:
    chat.send()
    chat.send("There has been poor attendance for weeks now.")
    chat.send("no")
    assert chat.state is not None
    assert chat.state["evidence"] is None
    assert chat.state["assessment"]["answers"] == {}
    assert chat.kinds() == ["question"]


def test_escalation_answer_and_dated_steps(chat: Chat) -> None:
    chat.send()
    chat.send("I disagree with the decision, how do I escalate?")
    assert "worker to worker" in chat.text()
    chat.send(button="Dates for each step from today")
    assert "Monday 2 March 2026" in chat.text()
    assert "Step 1" in chat.text() and "Step 2" in chat.text()


@pytest.mark.parametrize("turn", ["", "?", "asdf qwerty zxcv", "/answer{not json", "/nonsense", "42", "Done"])
def test_never_a_dead_end(chat: Chat, turn: str) -> None:
    chat.send()
    chat.send(turn)
    assert chat.last and chat.last[-1].buttons
    start_questions(chat)
    chat.send(turn)
    assert chat.last[-1].buttons


def test_a_wrong_answer_by_payload_asks_again(chat: Chat) -> None:
    start_questions(chat)
    chat.send(raw_payload=payload("answer", question_id="danger", value="perhaps"))
    assert "does not fit" in chat.text()
    assert chat.buttons() == YES_NO


def test_payloads_round_trip(chat: Chat) -> None:
    start_questions(chat)
    chat.send("no")
    chat.send("good")
    for button in chat.last[-1].buttons:
        parsed = parse_payload(button.payload)
        assert parsed is not None
        action, args = parsed
        assert payload(action, **args) == button.payload
    assert parse_payload('/answer{"question_id":"x","value":["a","b"]}') == (
        "answer",
        {"question_id": "x", "value": ["a", "b"]},
    )
    assert parse_payload("hello") is None


def test_resume_shows_where_the_conversation_stands(chat: Chat) -> None:
    start_questions(chat)
    chat.send("no")
    chat.send(raw_payload="/resume")
    assert "Welcome back" in chat.text()
    assert "How is attendance?" in chat.text()


def test_an_aside_puts_the_open_question_back(chat: Chat) -> None:
    start_questions(chat)
    chat.send("no")
    for aside in ["help", "I disagree with the decision, how do I escalate?"]:
        chat.send(aside)
        assert chat.kinds()[-1] == "question", aside
        assert "How is attendance?" in chat.last[-1].text


@pytest.mark.parametrize(
    "args",
    [{"question_id": "danger_now", "value": "no"}, {"id": "a-b_c"}, {"value": []}, {"id": "é"}, {"id": 'a"b'}, {}],
)
def test_payload_gives_the_json_encoders_bytes(args: dict[str, Any]) -> None:
    """The shortcut for plain ids writes exactly what json.dumps would; anything else goes through json.dumps."""
    expected = f"/answer{json.dumps(args, separators=(',', ':'))}" if args else "/answer"
    assert payload("answer", **args) == expected
    assert parse_payload(expected) == ("answer", args)
