"""Issue 15 tried as busy practitioners would, through the real app on the real content: what the audit found
misread or shown wrongly, each fixed, each a test here (the answer reader's rows are in test_answers.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import REPO_ROOT
from app.conversation.messages import payload
from app.core import engine, render
from app.core.models import Content
from app.main import create_app
from tests.conftest import make_settings, stored
from tests.conversation.test_flow import outcomes

PHONE = re.compile(r"(?<!\d)(?:999|0\d{3,4} ?\d{6})(?!\d)")
DSL_NAMED = re.compile(r"designated safeguarding lead", re.IGNORECASE)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp_path: Path = tmp_path_factory.mktemp("audit")
    with TestClient(create_app(make_settings(tmp_path, rate_limit="100000/minute"))) as test_client:
        yield test_client


def post(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# --- The DSL named once -------------------------------------------------------------------------


def test_the_dsl_is_named_once_in_every_outcome(content: Content) -> None:
    """The card's 'Who to call' names the DSL; the caveat in 'About this guidance' named it again."""
    checked = 0
    for name, outcome in outcomes(content):
        card = render.card(outcome, content)
        whole = "\n".join([card.top, *(part.text for part in card.sections)])
        assert len(DSL_NAMED.findall(whole)) == 1, name
        assert "your designated safeguarding lead (DSL)" in card.top.splitlines()[-1], name
        about = card.sections[-1]
        assert about.title == "About this guidance"
        assert "supports your professional judgement" in about.text and "call 999" in about.text, name
        assert outcome.content_version in about.text, name
        checked += 1
    assert checked >= 80  # every scenario and worked case


# --- A Level 3 outcome on a phone ---------------------------------------------------------------


def chat_to_outcome(client: TestClient, scripted: dict[str, Any]) -> dict[str, Any]:
    """A conversation through POST /api/v1/chat, tapping the scripted answer to each question asked."""
    reply = post(client, payload=payload("assess"))
    session = reply["session_id"]
    for _ in range(60):
        last = reply["messages"][-1]
        if last["kind"] == "outcome":
            return last  # type: ignore[no-any-return]
        if last["kind"] != "question":  # after the act-now card: go on
            reply = post(client, session_id=session, payload=payload("go_on"))
            continue
        asked = next(b["payload"] for b in last["buttons"]).split('"question_id":"')[1].split('"')[0]
        value = scripted.get(asked, "no" if [b["title"] for b in last["buttons"]][:2] == ["Yes", "No"] else [])
        if asked not in scripted and not any('"value":[]' in b["payload"] for b in last["buttons"]):
            value = last["buttons"][0]["payload"].split('"value":"')[1].split('"')[0]
        reply = post(client, session_id=session, payload=payload("answer", question_id=asked, value=value))
    raise AssertionError("no outcome after 60 turns")


def level_3_scenarios(content: Content) -> list[str]:
    return sorted(s.id for s in content.scenarios.values() if s.expected.level == 3)


def test_every_level_3_outcome_fits_a_phone(client: TestClient, content: Content) -> None:
    """Top card <= 120 words with the level first; the rest in sections to open; every number tap-to-call;
    no contact listed twice; the 999 line there, with its link."""
    scenarios = level_3_scenarios(content)
    assert len(scenarios) >= 10
    for scenario_id in scenarios:
        scripted = {a.question: a.value for a in content.scenarios[scenario_id].answers}
        message = chat_to_outcome(client, scripted)
        top = message["text"]
        assert top.startswith("Level 3"), scenario_id
        assert render.words(top) <= render.CARD_WORD_LIMIT, scenario_id
        assert "Who to call:" in top, scenario_id
        titles = [s["title"] for s in message["sections"]]
        assert titles[0] == "Why this level" and titles[-1] == "About this guidance", scenario_id
        assert len(titles) == len(set(titles)), scenario_id
        urls = [link["url"] for link in message["links"]]
        assert len(urls) == len(set(urls)), scenario_id
        everything = "\n".join([top, *(s["text"] for s in message["sections"])])
        for number in PHONE.findall(everything):
            assert "tel:" + number.replace(" ", "") in urls, (scenario_id, number)
        assert "call 999" in everything and "tel:999" in urls, scenario_id
        # Each contact listed once: in the card's "Who to call", or on its own line in a section, not both.
        lines = [line.strip(" -") for s in message["sections"] for line in s["text"].splitlines()]
        for contact in content.contacts.values():
            if not contact.phone:
                continue
            listed = [line for line in lines if line.startswith(f"{contact.name}, {contact.phone}")]
            in_card = f"{contact.name}: {contact.phone}" in top
            assert len(listed) + in_card <= 1, (scenario_id, contact.id)


# --- Removing one recognised item ---------------------------------------------------------------


def test_after_a_removal_the_rest_are_listed_again_without_words_and_none_are_stored(client: TestClient) -> None:
    """The matched words are quoted in the reply that first lists them and never stored; after a removal the
    items left are listed by label, saying where their words were, and the store holds none of the words."""
    note = "She is in Year 9, attendance has dropped to 85% and mum drinks heavily most nights."
    reply = post(client, text=note)
    session = reply["session_id"]
    first = next(m for m in reply["messages"] if m["kind"] == "evidence")
    assert len(first["evidence"]) >= 3 and all(item["matched"] for item in first["evidence"])
    words = [w for item in first["evidence"] for w in item["matched"]]
    reply = post(client, session_id=session, payload=first["evidence"][0]["remove"]["payload"])
    again = next(m for m in reply["messages"] if m["kind"] == "evidence")
    assert again["text"].startswith(f"Removed: {first['evidence'][0]['label'].rstrip('.')}.")
    assert [i["id"] for i in again["evidence"]] == [i["id"] for i in first["evidence"][1:]]
    assert all(item["matched"] == [] for item in again["evidence"])
    assert "were quoted when I first listed them" in again["text"]
    assert "with the words that matched each" not in again["text"]  # it no longer claims to show them
    for item in again["evidence"]:
        assert f"- {item['label']}" in again["text"]
    record = stored(client, "chat", session)
    assert record is not None
    kept = json.dumps(record.data)
    assert not [w for w in words if w in kept], kept


# --- The answer reader's table in docs/conversation.md is the tested one --------------------------


def reader_table(content: Content) -> list[str]:
    """The rows of tests/conversation/test_answers.py's TABLE as docs/conversation.md shows them."""
    from tests.conversation.test_answers import DANGER_IN_WORDS, TABLE

    rows = ["| Question | Typed | Recorded as |", "| --- | --- | --- |"]
    for question_id, typed, value in TABLE:
        question = content.question(question_id)
        assert question is not None
        recorded = (
            "not read: the choices again" if value is None else f"{engine.answer_label(question, value)} (`{value}`)"
        )
        if typed in DANGER_IN_WORDS:
            recorded = "not read, but reads as danger: the act-now card, nothing recorded"
        rows.append(f"| {question_id} | `{typed}` | {recorded} |")
    return rows


def test_the_docs_table_is_the_answer_readers_tested_table(content: Content) -> None:
    """Regenerate with: python -c "from tests.conversation.test_practitioner_audit import print_table; print_table()" """
    docs = (REPO_ROOT / "docs" / "conversation.md").read_text(encoding="utf-8").splitlines()
    table = reader_table(content)
    start = docs.index(table[0])
    assert docs[start : start + len(table)] == table
    assert not docs[start + len(table)].startswith("|")


def print_table() -> None:
    from app.content import load_content

    print("\n".join(reader_table(load_content(REPO_ROOT))))


# --- Everyday sentences through the chat --------------------------------------------------------

# Written fresh for the audit (jobs, sport, cooking, family life): none is a level 3 or 4 concern or a danger.
EVERYDAY = [
    "Dad works nights at the warehouse, mum is a carer for her own mother.",  # was the act-now card (left alone)
    "She cares for her own mother at night since her dad died.",  # was the act-now card (left alone)
    "He loves cars and talks about them all the time, attendance 96%.",
    "He plays rugby and got a black eye in a tackle at the weekend.",
    "She works weekends at the chip shop and is saving for a car.",
    "Mum's new job means she starts at 6am, grandad does the school run.",
    "The class did a project on the Blitz and bombing raids.",
    "They are decorating so the kids are sleeping in the living room for a week.",
]


@pytest.mark.parametrize("sentence", EVERYDAY)
def test_an_everyday_sentence_brings_no_grave_concern_and_no_alarm(client: TestClient, sentence: str) -> None:
    messages = post(client, text=sentence)["messages"]
    assert not {"act_now", "alert"} & {m["kind"] for m in messages}
    content = client.app.state.content  # type: ignore[attr-defined]
    grave = [
        i["id"]
        for m in messages
        for i in m["evidence"]
        if i["id"] in content.indicators and content.indicators[i["id"]].level >= 3
    ]
    assert grave == []


def test_the_issues_false_matches_are_not_read_as_their_concerns(client: TestClient) -> None:
    """'gas cut off' was self-harm, 'cars' a young carer, 'no family round here, isolated' 'not isolated'."""
    gas = post(client, text="His mum said the gas was cut off last week and they have no money for the meter.")
    ids = [i["id"] for m in gas["messages"] for i in m["evidence"]]
    assert ids and not [i for i in ids if "harm" in i or "suicid" in i]
    cars = post(client, text="He loves cars and talks about them all the time.")
    assert not [i for m in cars["messages"] for i in m["evidence"] if "carer" in i["id"]]
    alone = post(client, text="Mum says there is no family round here, isolated since the move, and she is low.")
    text = "\n".join(m["text"] for m in alone["messages"])
    assert "not the case" not in text or "isolated" not in text.split("not the case")[1].lower()


def test_a_description_with_nothing_recognised_says_so_not_i_dont_know(client: TestClient) -> None:
    """It answered 'I don't know that; here is who to ask' (a partnership answer nobody asked for)."""
    messages = post(client, text="He loves cars and talks about them all the time, attendance 96%.")["messages"]
    last = messages[-1]
    assert last["text"].startswith("I could not recognise specific needs or risks in that.")
    assert [b["title"] for b in last["buttons"]] == ["Answer questions instead"]
    assert not any("I don't know that" in m["text"] for m in messages)


# --- Plain questions in other words -------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "number"),
    [
        ("mash no", "01925 443322"),  # was "did not understand"
        ("out of hours", "01925 444400"),  # was the Return Home Interview's definition
        ("OOH", "01925 444400"),
        ("referral?", "01925 443322"),  # was a timescale
        ("what is the number for children's social care", "01925 443322"),  # was the 45-day assessment timescale
        ("phone number for social services", "01925 443322"),  # was the LADO's procedure
        ("social worker number", "01925 443322"),
        ("police non emergency number", "101"),  # was "could not recognise specific needs"
        ("police number", "101"),
        ("lado no", "01925 442079"),
    ],
)
def test_plain_questions_in_other_words_get_the_number(client: TestClient, asked: str, number: str) -> None:
    messages = post(client, text=asked)["messages"][1:]  # after the greeting
    assert [m["kind"] for m in messages] == ["text"]
    assert number in messages[0]["text"]
    assert "tel:" + number.replace(" ", "") in [link["url"] for link in messages[0]["links"]]
    assert "call 999" in messages[0]["text"]


def test_a_description_naming_a_contact_is_read_as_a_description(client: TestClient) -> None:
    """'MASH contact was made ...' is a concern to read, not a question about the MASH's number."""
    text = "MASH contact was made last week after dad hit him in front of his sister and she is scared."
    messages = post(client, text=text)["messages"]
    assert "evidence" in [m["kind"] for m in messages]
    assert "physical_abuse_disclosure" in [i["id"] for m in messages for i in m["evidence"]]


# --- Danger in other words at a question --------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "he says his dad hit him with a belt and he's scared to go home tonight",
        "He has a knife and is threatening to kill himself",
    ],
)
def test_danger_typed_at_a_question_in_other_words_brings_the_act_now_card(client: TestClient, typed: str) -> None:
    """It got 'I could not tell which answer that is' and the choices again: no 999, no act-now card."""
    session = post(client, payload=payload("assess"))["session_id"]
    messages = post(client, session_id=session, text=typed)["messages"]
    assert messages[0]["kind"] == "act_now"
    assert "tel:999" in [link["url"] for link in messages[0]["links"]]
    assert "not recorded it as an answer" in messages[1]["text"]
    record = stored(client, "chat", session)
    assert record is not None and record.data["state"]["assessment"]["answers"] == {}  # nothing recorded
    later = post(client, session_id=session, payload=payload("go_on"))["messages"]
    assert later[0]["kind"] == "alert" and later[-1]["kind"] == "question"  # the alert stays on top


def test_danger_typed_at_the_age_question_brings_the_act_now_card(client: TestClient) -> None:
    """A danger fact typed where an age is asked is not lost because it is not an age."""
    session = post(client, payload=payload("assess"))["session_id"]
    for question_id in ("danger_now", "injury_now", "disclosure_now"):
        post(client, session_id=session, payload=payload("answer", question_id=question_id, value="no"))
    messages = post(client, session_id=session, text="she's 14 but mum's boyfriend is there now with a knife")[
        "messages"
    ]
    assert messages[0]["kind"] == "act_now"


@pytest.mark.parametrize(
    ("question_id", "lead"),
    [
        ("missing_detail", "Which of these? Please choose one."),
        ("strengths", "Which of these? Choose each that applies, then Done."),
    ],
)
def test_a_bare_yes_to_a_choice_question_asks_which(
    client: TestClient, content: Content, question_id: str, lead: str
) -> None:
    """'yes' to 'Has the child gone missing?' got 'I could not tell which answer that is'; it asks which."""
    from tests.conversation.test_answers import path_to

    session = post(client, payload=payload("assess"))["session_id"]
    for earlier, answer in path_to(content, question_id):
        post(client, session_id=session, payload=payload("answer", question_id=earlier, value=answer))
    last = post(client, session_id=session, text="Yes")["messages"][-1]
    assert last["kind"] == "question" and last["text"].startswith(lead)
    record = stored(client, "chat", session)
    assert record is not None and question_id not in record.data["state"]["assessment"]["answers"]


def test_a_provisional_outcome_still_fits_the_card(content: Content) -> None:
    """'Stop here' adds a provisional note to the card; it was added after the 120-word limit was applied."""
    from app.conversation.chat import PROVISIONAL

    for name, outcome in outcomes(content):
        card = render.card(outcome, content, note=PROVISIONAL)
        assert render.words(card.top) <= render.CARD_WORD_LIMIT, name
        assert card.top.endswith(PROVISIONAL) and card.top.startswith(outcome.summary), name
        assert "your designated safeguarding lead (DSL)" in card.top, name
