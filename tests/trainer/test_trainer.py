"""Trainer mode (app/trainer): scenario library, walkthrough, quiz, classroom voting, QR code, pages."""

from __future__ import annotations

import base64
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from fastapi.testclient import TestClient

from app.core.models import Content
from app.main import create_app
from app.trainer import classroom as trainer
from tests.conftest import make_settings, stored

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The fixture content plus one scenario written for it."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", root)
    (root / "dialogues" / "scenarios").mkdir()
    shutil.copy(FIXTURES / "scenarios" / "step_up.yaml", root / "dialogues" / "scenarios")
    # The same case where the child is in immediate danger: the guidance is "call 999 now".
    danger = (FIXTURES / "scenarios" / "step_up.yaml").read_text()
    danger = danger.replace("id: step_up", "id: danger_now").replace(
        'question: danger\n    value: "no"', 'question: danger\n    value: "yes"'
    )
    (root / "dialogues" / "scenarios" / "danger_now.yaml").write_text(danger)
    with TestClient(create_app(make_settings(tmp_path, root))) as test_client:
        yield test_client


def open_room(client: TestClient, scenario_id: str = "step_up") -> tuple[str, dict[str, str]]:
    response = client.post("/api/v1/classrooms", json={"scenario_id": scenario_id})
    assert response.status_code == 201
    body = response.json()
    return body["code"], {"Authorization": f"Bearer {body['trainer_token']}"}


def vote(client: TestClient, code: str, level: object, voter: str = "voter-aaaa") -> int:
    return client.post(f"/api/v1/classrooms/{code}/votes", json={"level": level, "voter_id": voter}).status_code


def test_list_and_show_scenarios(client: TestClient) -> None:
    item = next(i for i in client.get("/api/v1/scenarios").json() if i["id"] == "step_up")
    assert item["id"] == "step_up"
    assert item["level"] == 4
    assert item["duration_minutes"] == 10
    assert [a["id"] for a in item["risk_areas"]] == ["education", "home"]
    scenario = client.get("/api/v1/scenarios/step_up").json()
    assert scenario["narrative"][0]["title"] == "First contact"
    assert client.get("/api/v1/scenarios/nope").status_code == 404


def test_walkthrough_and_quiz(client: TestClient) -> None:
    walk = client.get("/api/v1/scenarios/step_up/walkthrough").json()
    assert walk["expected_level"] == 4
    assert [s["level_so_far"] for s in walk["steps"]] == [1, 2, 3, 3, 3, 4]
    assert walk["outcome"]["level"] == 4
    quiz = client.post("/api/v1/scenarios/step_up/quiz", json={"level": 3}).json()
    assert (quiz["correct"], quiz["guidance_level"]) == (False, 4)
    assert quiz["teaching_points"]
    assert client.post("/api/v1/scenarios/step_up/quiz", json={"level": 4}).json()["correct"] is True
    assert client.post("/api/v1/scenarios/step_up/quiz", json={"level": 0}).status_code == 422


def test_open_classroom_gives_a_readable_code_and_a_strong_token(client: TestClient) -> None:
    body = client.post("/api/v1/classrooms", json={"scenario_id": "step_up"}).json()
    assert len(body["code"]) == 6
    assert set(body["code"]) <= set(trainer.CODE_ALPHABET)
    assert not set(body["code"]) & set("0O1I")
    assert len(body["trainer_token"]) >= 22  # token_urlsafe: at least 128 bits
    assert body["join_url"] == f"http://testserver/join/{body['code']}"
    assert client.post("/api/v1/classrooms", json={"scenario_id": "nope"}).status_code == 404


def test_the_room_has_a_128_bit_id_and_the_code_is_an_alias(client: TestClient) -> None:
    body = client.post("/api/v1/classrooms", json={"scenario_id": "step_up"}).json()
    assert len(base64.urlsafe_b64decode(body["room_id"] + "==")) == 16
    assert stored(client, trainer.KIND, body["room_id"]) is not None
    assert stored(client, trainer.KIND, body["code"]) is None  # the room is not kept under its guessable code
    assert stored(client, trainer.CODE_KIND, body["code"]).data == {"room_id": body["room_id"]}  # type: ignore[union-attr]
    public = client.get(f"/api/v1/classrooms/{body['code'].lower()}/public")
    assert public.status_code == 200


def test_votes_are_counted_and_a_changed_vote_replaces_the_old_one(client: TestClient) -> None:
    code, auth = open_room(client)
    assert vote(client, code, 2, "voter-aaaa") == 200
    assert vote(client, code, 3, "voter-bbbb") == 200
    assert vote(client, code, 3, "voter-cccc") == 200
    assert vote(client, code, 4, "voter-aaaa") == 200  # changed mind: 2 -> 4
    # The voter id may come in a header instead; codes are case-insensitive.
    response = client.post(
        f"/api/v1/classrooms/{code.lower()}/votes", json={"level": 1}, headers={"X-Voter-Id": "voter-dddd"}
    )
    assert response.status_code == 200
    room = client.get(f"/api/v1/classrooms/{code}", headers=auth).json()
    assert room["votes"] == {"now": 0, "1": 1, "2": 0, "3": 2, "4": 1}
    assert room["voters"] == 4
    assert room["revealed"] is False
    assert room["scenario"]["id"] == "step_up"


@pytest.mark.parametrize("level", [0, 5, "three", "Now", "999", None, 2.5, [3]])
def test_a_bad_vote_is_refused(client: TestClient, level: object) -> None:
    code, _ = open_room(client)
    assert vote(client, code, level) == 422


def test_a_vote_needs_a_voter_id(client: TestClient) -> None:
    code, _ = open_room(client)
    assert client.post(f"/api/v1/classrooms/{code}/votes", json={"level": 2}).status_code == 422
    assert client.post(f"/api/v1/classrooms/{code}/votes", json={"level": 2, "voter_id": "x"}).status_code == 422


def test_only_the_trainer_sees_votes_and_reveals(client: TestClient) -> None:
    code, auth = open_room(client)
    _, other_auth = open_room(client)
    assert client.get(f"/api/v1/classrooms/{code}").status_code == 401
    assert client.get(f"/api/v1/classrooms/{code}", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get(f"/api/v1/classrooms/{code}", headers=other_auth).status_code == 403
    assert client.post(f"/api/v1/classrooms/{code}/reveal").status_code == 401
    assert client.post(f"/api/v1/classrooms/{code}/reveal", headers=other_auth).status_code == 403
    assert client.get(f"/api/v1/classrooms/{code}", headers=auth).status_code == 200


def test_reveal_shows_the_guidance_and_closes_voting(client: TestClient) -> None:
    code, auth = open_room(client)
    vote(client, code, 3)
    public = client.get(f"/api/v1/classrooms/{code}/public").json()
    assert public["revealed"] is False
    assert public["result"] is None
    result = client.post(f"/api/v1/classrooms/{code}/reveal", headers=auth).json()
    assert result["level"] == 4
    assert result["votes"] == {"now": 0, "1": 0, "2": 0, "3": 1, "4": 0}
    assert result["immediate_danger"] is False
    assert "Rule: Early help in place but not working." in result["reasons"]
    assert vote(client, code, 4) == 409
    public = client.get(f"/api/v1/classrooms/{code}/public").json()
    assert public["revealed"] is True
    assert public["result"]["level"] == 4
    assert client.get(f"/api/v1/classrooms/{code}", headers=auth).json()["result"]["level"] == 4


def test_an_expired_room_is_gone(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    code, auth = open_room(client)
    later = time.time() + trainer.ROOM_TTL_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert vote(client, code, 2) == 404
    assert client.get(f"/api/v1/classrooms/{code}", headers=auth).status_code == 404
    assert client.get(f"/api/v1/classrooms/{code}/public").status_code == 404
    assert client.get("/api/v1/classrooms/ZZZZZZ/public").status_code == 404


def test_a_vote_retries_when_another_vote_wins_the_race(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    code, auth = open_room(client)
    store = client.app.state.store  # type: ignore[attr-defined]
    real_put = store.put
    calls = {"n": 0}

    async def put_with_a_rival(
        kind: str, key: str, data: dict[str, Any], ttl: int, expected_version: int | None
    ) -> int:
        calls["n"] += 1
        if calls["n"] == 1:  # another process votes between our read and our write
            record = await store.get(kind, key)
            rival = {**record.data, "votes": {**record.data["votes"], "voter-rival": 1}}
            await real_put(kind, key, rival, ttl, record.version)
        return await real_put(kind, key, data, ttl, expected_version)  # type: ignore[no-any-return]

    monkeypatch.setattr(store, "put", put_with_a_rival)
    assert vote(client, code, 2) == 200
    assert calls["n"] == 2  # the first write lost and was retried
    votes = client.get(f"/api/v1/classrooms/{code}", headers=auth).json()["votes"]
    assert votes == {"now": 0, "1": 1, "2": 1, "3": 0, "4": 0}


def test_pages_load_their_own_scripts_only(client: TestClient) -> None:
    page = client.get("/trainer")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/trainer/assets/trainer.js" defer></script>' in page.text
    assert "onclick" not in page.text and "<script>" not in page.text and "style=" not in page.text
    join = client.get("/join/abc234")
    assert join.status_code == 200
    assert '<script src="/trainer/assets/join.js" defer></script>' in join.text
    assert client.get("/trainer/assets/trainer.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/trainer/assets/join.js").status_code == 200
    assert client.get("/trainer/assets/trainer.css").headers["content-type"].startswith("text/css")
    assert client.get("/trainer/assets/secrets.txt").status_code == 404
    assert client.get("/trainer/assets/..%2Froutes.py").status_code == 404


def test_the_vote_page_names_no_level_itself(client: TestClient, content: Content) -> None:
    """The level names on the vote page come from GET /api/v1/levels (join.js), so the content decides them; the
    page itself says "Level N" only, which is also what stays if the names cannot load. The browser test
    (tests/browser/test_trainer.py) checks the names shown against the content's."""
    page = client.get("/join/abc234").text
    script = client.get("/trainer/assets/join.js").text
    for n in range(1, 5):
        assert f'<span id="level-name-{n}">Level {n}</span>' in page
    assert 'fetch("/api/v1/levels"' in script
    for level in content.levels.values():
        assert level.name not in page and level.name not in script, level.name
    assert "Specialist: children's social care" not in page + script  # a name the content never had


def test_join_without_a_code_shows_a_code_box(client: TestClient) -> None:
    page = client.get("/join")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<form id="code-form" action="/join" method="get">' in page.text
    assert '<label for="code-input">Classroom code</label>' in page.text
    assert 'name="code"' in page.text


@pytest.mark.parametrize(("typed", "room"), [("abc234", "ABC234"), (" abc 234 ", "ABC234"), ("ABC-234", "ABC234")])
def test_a_typed_code_goes_on_to_its_voting_page(client: TestClient, typed: str, room: str) -> None:
    response = client.get("/join", params={"code": typed}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"http://testserver/join/{room}"


@pytest.mark.parametrize("typed", ["<script>", "a" * 21, "abc/../x"])
def test_a_mistyped_code_gets_a_clear_error(client: TestClient, typed: str) -> None:
    response = client.get("/join", params={"code": typed}, follow_redirects=False)
    assert response.status_code == 422
    assert "code" in response.json()["message"]


def qr_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules of segno's SVG path ("M4 4.5h7m8 0h2..."): absolute and relative moves, horizontal runs."""
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg)
    assert path is not None, svg[:300]
    x = y = 0.0
    dark = set()
    for op, args in re.findall(r"([MmHh])([^MmHh]+)", path.group(1)):
        numbers = [float(n) for n in args.strip().split()]
        if op == "M":
            x, y = numbers
        elif op == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            run = numbers[0] if op == "h" else numbers[0] - x
            dark |= {(int(x) + i, int(y)) for i in range(int(run))}
            x += run
    return dark


def test_the_qr_code_encodes_the_join_link(client: TestClient) -> None:
    body = client.post("/api/v1/classrooms", json={"scenario_id": "step_up"}).json()
    assert body["qr_url"] == f"http://testserver/api/v1/classrooms/{body['code']}/qr.svg"
    response = client.get(body["qr_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    svg = response.text
    assert svg.startswith("<svg") and "viewBox=" in svg and "width=" not in svg.split(">")[0]  # scales to any size
    # The drawing is the QR code of the join link (not of the code alone, nor of another address).
    expected = segno.make(body["join_url"], error="m")
    want = {(x + 4, y + 4) for y, row in enumerate(expected.matrix) for x, bit in enumerate(row) if bit}
    assert qr_modules(svg) == want
    assert qr_modules(svg) != {
        (x + 4, y + 4)
        for y, row in enumerate(segno.make(body["code"], error="m").matrix)
        for x, bit in enumerate(row)
        if bit
    }
    # A lower-case code draws the same link; a code with no room draws nothing.
    assert client.get(f"/api/v1/classrooms/{body['code'].lower()}/qr.svg").text == svg
    assert client.get("/api/v1/classrooms/ZZZZZZ/qr.svg").status_code == 404


def test_call_999_now_is_a_vote_and_the_guidance_for_a_child_in_danger(client: TestClient) -> None:
    code, auth = open_room(client, "danger_now")
    assert vote(client, code, "now", "voter-aaaa") == 200
    assert vote(client, code, 4, "voter-bbbb") == 200
    result = client.post(f"/api/v1/classrooms/{code}/reveal", headers=auth).json()
    assert result["immediate_danger"] is True
    assert result["votes"] == {"now": 1, "1": 0, "2": 0, "3": 0, "4": 1}


def test_the_phone_is_told_its_own_vote_before_and_after_the_reveal(client: TestClient) -> None:
    code, auth = open_room(client)
    mine = {"X-Voter-Id": "voter-mine"}
    assert client.get(f"/api/v1/classrooms/{code}/public", headers=mine).json()["your_vote"] is None
    vote(client, code, 2, "voter-mine")
    vote(client, code, "now", "voter-else")
    assert client.get(f"/api/v1/classrooms/{code}/public", headers=mine).json()["your_vote"] == 2
    client.post(f"/api/v1/classrooms/{code}/reveal", headers=auth)
    public = client.get(f"/api/v1/classrooms/{code}/public", headers=mine).json()
    assert (public["revealed"], public["your_vote"]) == (True, 2)
    assert client.get(f"/api/v1/classrooms/{code}/public").json()["your_vote"] is None  # no id, no vote
    assert client.get(f"/api/v1/classrooms/{code}/public", headers={"X-Voter-Id": "x"}).status_code == 422


def test_endpoints_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/scenarios",
        "/api/v1/scenarios/{scenario_id}/walkthrough",
        "/api/v1/classrooms/{code}/reveal",
        "/api/v1/classrooms/{code}/qr.svg",
        "/join",
        "/join/{code}",
        "/trainer",
    ):
        assert path in paths
