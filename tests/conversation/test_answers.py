"""The one answer reader (app/conversation/answers.py), table-driven over the real content: each phrasing is
sent through the chat, Rasa's REST channel and the Rasa actions, and must be recorded as the same value (or,
when it cannot be read, not recorded and the choices asked again)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.conversation.answers import read_answer
from app.conversation.chat import Turn, reply
from app.conversation.messages import payload
from app.core import engine
from app.core.age import AGE_QUESTION, BANDS, UNBORN, age_option
from app.core.models import Content
from app.main import create_app
from tests.conftest import make_settings, stored
from tests.rasa.test_rasa import action_call, answer_call

# (question, typed, value recorded; None: not read, so the choices are asked again)
TABLE: list[tuple[str, str, Any]] = [
    # "yes" followed by any detail is yes
    ("danger_now", "yes he's going home tonight", "yes"),
    ("danger_now", "Yes", "yes"),
    ("danger_now", "yep", "yes"),
    ("danger_now", "y", "yes"),
    ("danger_now", "1", "yes"),  # the chat's old reader took a button's number on a yes/no question
    # "not sure ..." and "don't know ..." are unknown, never no
    ("danger_now", "not sure, he's safe in school now but goes home at 3.15", "unknown"),
    ("danger_now", "don't know yet", "unknown"),
    ("danger_now", "dont_know", "unknown"),  # Rasa's old reader
    ("danger_now", "unknown", "unknown"),  # Rasa's old reader
    ("danger_now", "no idea", "unknown"),
    # "none", "nope", "no concerns" are no; a hedged no is not
    ("danger_now", "none", "no"),
    ("danger_now", "nope", "no"),
    ("danger_now", "no concerns", "no"),
    ("danger_now", "No.", "no"),
    ("danger_now", "no, but he's scared to go home", None),
    ("danger_now", "definitely not", "no"),
    ("danger_now", "yeah, no", None),  # everyday speech for no: not clear enough to record
    ("danger_now", "yes he is not safe at home", "yes"),
    ("danger_now", "sometimes", None),
    # at the age question numbers are ages, never option positions
    ("age_stage", "7", "age_5_to_11"),
    ("age_stage", "7yo", "age_5_to_11"),
    ("age_stage", "14", "age_12_to_17"),
    ("age_stage", "y9", "age_12_to_17"),
    ("age_stage", "year 4", "age_5_to_11"),
    ("age_stage", "8/12", "baby_under_1"),
    ("age_stage", "6 weeks", "baby_under_1"),
    ("age_stage", "8 months", "baby_under_1"),
    ("age_stage", "5 to 11", "age_5_to_11"),
    ("age_stage", "pregnant/unborn", "unborn"),
    ("age_stage", "4", "under_5"),  # was recorded as "5 to 11" (the 4th option)
    ("age_stage", "5", "age_5_to_11"),  # was recorded as "12 to 17" (the 5th option)
    ("age_stage", "she's 3", "under_5"),
    ("age_stage", "5 to 11 years", "age_5_to_11"),  # a label, as both old readers took
    ("age_stage", "age_5_to_11", "age_5_to_11"),  # an option value, as Rasa's old reader took
    ("age_stage", "not sure", "unknown"),
    ("age_stage", "19", None),  # an adult: not one of the choices
    # a plain no to a single-choice question is its one negative option
    ("missing_detail", "no", "never"),
    ("missing_detail", "nope, not that I know", "never"),
    ("missing_detail", "no, but she was late home twice", None),
    ("missing_detail", "once", "once"),
    # several choices
    ("strengths", "none", []),
    ("strengths", "no concerns", []),
    ("strengths", "1, 3", ["supportive_parent", "wider_family"]),
    ("strengths", "supportive_parent, engages", ["supportive_parent", "engages"]),  # option values (Rasa's reader)
    ("strengths", "Wider family or friends give support", ["wider_family"]),
    # the practitioner audit: typos, capitals, emoji, everyday words
    ("danger_now", "Yes!!", "yes"),
    ("danger_now", "YES", "yes"),
    ("danger_now", "yep he is", "yes"),
    ("danger_now", "yesss", "yes"),
    ("danger_now", "yse", "yes"),
    ("danger_now", "\U0001f44d", "yes"),  # thumbs up
    ("danger_now", "I think so", "yes"),  # in doubt, the graver reading; the echo shows it
    ("danger_now", "probably", "yes"),
    ("danger_now", "I think he is safe", None),  # a belief about safety is not a yes
    ("danger_now", "I don't think so", None),  # a hedged no: asked again, never recorded as no
    ("danger_now", "n", "no"),
    ("danger_now", "nah", "no"),
    ("danger_now", "nooo", "no"),
    ("danger_now", "not at the moment", "no"),
    ("danger_now", "not in immediate danger", "no"),
    ("danger_now", "not right now, but he goes home at 3", None),
    ("danger_now", "never", "no"),
    ("danger_now", "dunno", "unknown"),
    ("danger_now", "DK", "unknown"),
    ("age_stage", "3yrs", "under_5"),
    ("age_stage", "3 y.o.", "under_5"),
    ("age_stage", "14 y/o", "age_12_to_17"),
    ("age_stage", "Year 10", "age_12_to_17"),
    ("age_stage", "she's in year 10", "age_12_to_17"),
    ("age_stage", "Year R", "under_5"),
    ("age_stage", "reception", "under_5"),
    ("age_stage", "nursery", "under_5"),
    ("age_stage", "13 months", "under_5"),
    ("age_stage", "2 and a half", "under_5"),
    ("age_stage", "newborn", "baby_under_1"),
    ("age_stage", "newborn baby", "baby_under_1"),  # two words for one stage
    ("age_stage", "expecting", "unborn"),
    ("age_stage", "expecting a baby", "unborn"),
    ("age_stage", "6th form", "age_12_to_17"),
    ("age_stage", "7 or 8", "age_5_to_11"),
    ("age_stage", "11 or 12", None),  # spans two choices: asked again
    ("age_stage", "under 1", "baby_under_1"),  # was "1 to 4 years": a typo-match of "under 5"
    ("age_stage", "under 5", None),  # a baby or a toddler: asked again, never the toddler band unasked
    ("age_stage", "under_5", "under_5"),  # the option value, as Rasa sends it
    ("missing_detail", "nah", "never"),
    ("missing_detail", "not that I know of", "never"),
    ("missing_detail", "yes once", "once"),
    ("missing_detail", "twice", "repeatedly"),
    ("missing_detail", "yes, a few times", "repeatedly"),
    ("missing_detail", "yes", None),  # once or more than once: asked again
    ("strengths", "not that I know", []),
    ("health_any", "no major concerns", None),  # there are lesser ones: was recorded as no
    ("health_any", "nothing serious", None),
    ("danger_now", "no immediate danger", "no"),
    ("danger_now", "not yet", None),
    ("health_any", "some concerns", "yes"),  # any concern is a yes; the detail question says which
    ("health_any", "a bit", "yes"),
    ("health_any", "sometimes", "yes"),
    ("danger_now", "a bit", None),  # not at a danger question: asked again
]

# Unread as an answer, but read as a child in immediate danger (the question's own example: too frightened to go
# home): the act-now card comes first, and still nothing is recorded.
DANGER_IN_WORDS = {"no, but he's scared to go home"}
# The choices again: "I could not tell which answer that is", or for a bare yes to a choice question, "Which of these?"
ASKED_AGAIN = re.compile(r"could not tell which answer|^Which of these\?")

ON_THE_WAY: dict[str, Any] = {"age_stage": "age_5_to_11", "outside_home_any": "yes"}


def path_to(content: Content, target: str) -> list[tuple[str, Any]]:
    """The answers, in order, that lead to `target` as the next question (no concerns on the way)."""
    state, path = engine.new_state(), []
    while (question := engine.pending_question(content, state)) is not None and question.id != target:
        value = ON_THE_WAY.get(question.id, "no" if question.kind == "yes_no" else [])
        state = engine.answer(content, state, question.id, value)
        path.append((question.id, value))
    assert question is not None, f"{target} is never asked on the way"
    return path


def ids(row: tuple[str, str, Any]) -> str:
    return f"{row[0]}: {row[1]}"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp_path: Path = tmp_path_factory.mktemp("answers")
    with TestClient(create_app(make_settings(tmp_path))) as test_client:
        yield test_client


def label(content: Content, question_id: str, value: Any) -> str:
    question = content.question(question_id)
    assert question is not None
    return engine.answer_label(question, value)


@pytest.mark.parametrize(("question_id", "typed", "value"), TABLE, ids=[ids(r) for r in TABLE])
def test_the_reader(content: Content, question_id: str, typed: str, value: Any) -> None:
    question = content.question(question_id)
    assert question is not None
    assert read_answer(question, typed) == value


@pytest.mark.parametrize(("question_id", "typed", "value"), TABLE, ids=[ids(r) for r in TABLE])
def test_through_the_chat(content: Content, question_id: str, typed: str, value: Any) -> None:
    state, _, _ = reply(content, None, Turn(payload=payload("assess")), today=date(2026, 3, 2))
    for earlier, answer in path_to(content, question_id):
        state, _, _ = reply(content, state, Turn(payload=payload("answer", question_id=earlier, value=answer)))
    state, messages, _ = reply(content, json.loads(json.dumps(state.model_dump())), Turn(text=typed))
    assert state.assessment is not None
    kinds = [msg.kind for msg in messages]
    if value is None and typed in DANGER_IN_WORDS:
        assert question_id not in state.assessment["answers"]
        assert kinds[0] == "act_now" and "not recorded it as an answer" in messages[1].text
        return
    if value is None:
        assert question_id not in state.assessment["answers"]
        assert kinds[-1] == "question" and ASKED_AGAIN.search(messages[-1].text)  # the choices again
        assert set(kinds) <= {"alert", "question"}  # never another feature's answer
        return
    assert state.assessment["answers"][question_id] == value
    assert f"Recorded: {label(content, question_id, value)}" in [msg.text for msg in messages if msg.kind == "recorded"]


@pytest.mark.parametrize(("question_id", "typed", "value"), TABLE, ids=[ids(r) for r in TABLE])
def test_through_the_rest_channel(client: TestClient, question_id: str, typed: str, value: Any) -> None:
    sender = f"rest-{question_id}-{typed}"
    post = lambda message: client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})  # noqa: E731
    post(payload("assess"))
    for earlier, answer in path_to(client.app.state.content, question_id):  # type: ignore[attr-defined]
        post(payload("answer", question_id=earlier, value=answer))
    replies = post(typed).json()
    answers = stored(client, "rest", sender).data["state"]["assessment"]["answers"]  # type: ignore[union-attr]
    if value is None:
        assert question_id not in answers
        if typed in DANGER_IN_WORDS:
            assert replies[0]["text"].startswith("Act now") and replies[0]["buttons"]
            return
        assert ASKED_AGAIN.search(replies[-1]["text"]) and replies[-1]["buttons"]
        return
    assert answers[question_id] == value
    assert any(r.get("text") == f"Recorded: {label(client.app.state.content, question_id, value)}" for r in replies)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("question_id", "typed", "value"), TABLE, ids=[ids(r) for r in TABLE])
def test_through_the_rasa_actions(client: TestClient, question_id: str, typed: str, value: Any) -> None:
    sender = f"rasa-{question_id}-{typed}"
    client.post("/rasa/webhook", json=action_call("action_threshold_start", sender))
    for earlier, answer in path_to(client.app.state.content, question_id):  # type: ignore[attr-defined]
        button = answer if isinstance(answer, str) else "none"  # Rasa's button for none of these
        client.post("/rasa/webhook", json=answer_call("action_threshold_answer", button, earlier, sender))
    # The words arrive with whatever intent Rasa's NLU gave them; here one that carries no answer.
    call = action_call("action_threshold_answer", sender, text=typed, intent="inform")
    response = client.post("/rasa/webhook", json=call)
    answers = stored(client, "rasa", sender).data["state"]["answers"]  # type: ignore[union-attr]
    if value is None and typed in DANGER_IN_WORDS:
        assert question_id not in answers
        assert response.status_code == 200, response.text
        texts = [r.get("text") or "" for r in response.json()["responses"]]
        assert texts[0].startswith("A child may be in immediate danger.") and "not recorded it" in texts[1]
        return
    if value is None:
        assert question_id not in answers
        assert response.status_code == 400  # no answer in the words: Rasa's policies choose what to say
        return
    assert response.status_code == 200, response.text
    assert answers[question_id] == value
    texts = [r.get("text") for r in response.json()["responses"]]
    assert f"Recorded: {label(client.app.state.content, question_id, value)}" in texts  # type: ignore[attr-defined]


def test_unreadable_words_with_an_answer_intent_get_the_choices_again_never_a_no(client: TestClient) -> None:
    """Rasa's NLU may read "no, but I am worried about her" as deny: the words win, and they are not a no."""
    sender = "rasa-hedged-no"
    client.post("/rasa/webhook", json=action_call("action_threshold_start", sender))
    call = action_call("action_threshold_answer", sender, text="no, but I am worried about her", intent="deny")
    result = client.post("/rasa/webhook", json=call).json()
    assert stored(client, "rasa", sender).data["state"]["answers"] == {}  # type: ignore[union-attr]
    assert result["responses"][0]["text"].startswith("Sorry, I could not take that answer.")
    assert [b["title"] for b in result["responses"][1]["buttons"]] == ["Yes", "No", "Don't know"]


def test_the_age_bands_are_the_age_questions_options(content: Content) -> None:
    question = content.question(AGE_QUESTION)
    assert question is not None
    assert set(question.option_values) == {UNBORN, *BANDS}
    # every month from birth to 18 falls in exactly one band, and 18 in none
    for month in range(0, 216):
        assert sum(low <= month < high for low, high in BANDS.values()) == 1
    assert age_option("18") is None and age_option("17") == "age_12_to_17" and age_option("0") == "baby_under_1"
