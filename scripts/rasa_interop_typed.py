"""Typed turns through a running Rasa (scripts/rasa-interop step 6): words, not button payloads, go through Rasa's
NLU and reach Threshold Guide's actions. Exits 1, naming the turn, when a reply is not what the principles need.

    python scripts/rasa_interop_typed.py RASA_REST_URL APP_URL

1. "yes he's going home tonight" typed at the danger question: the act-now steps with 999 in the same reply.
2. "7" typed at the age question: recorded as the age band.
3. A described concern through Rasa: what was recognised, with the words that matched, and nothing recorded;
   then the same description through the app's own Rasa REST channel (APP_URL/webhooks/rest/webhook), where each
   recognised item has a Remove button: one is removed and the rest are kept.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

import httpx

DESCRIPTION = "Year 9 boy, attendance has dropped to 85% this term and he seems withdrawn."


def post(url: str, sender: str, message: str) -> list[dict[str, Any]]:
    print(f"> {message}")
    replies: list[dict[str, Any]] = httpx.post(url, json={"sender": sender, "message": message}, timeout=60).json()
    for reply in replies:
        if reply.get("text"):
            print("  < " + reply["text"].replace("\n", "\n    "))
        if reply.get("buttons"):
            print("    [" + " | ".join(b["title"] for b in reply["buttons"]) + "]")
        custom = reply.get("custom") or {}
        kind = custom.get("threshold_alert") or (custom.get("threshold") or {}).get("kind")
        links = custom.get("links") or (custom.get("threshold") or {}).get("links") or []
        tel = [link["url"] for link in links if link["url"].startswith("tel:")]
        if kind or tel:
            print(f"    (custom: {kind or ''} {' '.join(tel)})".rstrip())
    return replies


def fail(why: str) -> None:
    print(f"rasa-interop: {why}", file=sys.stderr)
    sys.exit(1)


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r.get("text") or "" for r in replies]


def click(url: str, sender: str, replies: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    buttons = [b for r in replies for b in r.get("buttons") or []]
    chosen = next((b for b in buttons if b["title"] == title), None)
    if chosen is None:
        fail(f"no {title!r} button in {[b['title'] for b in buttons]}")
    print(f"  (clicking {title})")
    return post(url, sender, chosen["payload"])


def main(rasa: str, app: str) -> None:
    print("== typed yes at the danger question, through Rasa")
    sender = f"interop-{uuid.uuid4().hex[:8]}"
    post(rasa, sender, "start")
    replies = post(rasa, sender, "yes he's going home tonight")
    # Rasa sends a response's text and its json_message as two messages: the steps, then the tap-to-call links.
    steps = next((t for t in texts(replies) if "Keep the child with you" in t), "")
    links = [
        link["url"]
        for r in replies
        if (r.get("custom") or {}).get("threshold_alert") == "immediate_danger"
        for link in r["custom"]["links"]
    ]
    if not steps.startswith("A child may be in immediate danger. Call 999 now.") or "tel:999" not in links:
        fail("a typed danger yes did not bring the act-now steps with 999 to tap")
    if not any(t.startswith("Recorded: Yes") for t in texts(replies)):
        fail("the typed danger yes was not recorded as Yes")

    print("== typed age at the age question, through Rasa")
    sender = f"interop-{uuid.uuid4().hex[:8]}"
    replies = post(rasa, sender, "start")
    for _ in range(5):
        if any(t.startswith("How old is the child?") for t in texts(replies)):
            break
        replies = click(rasa, sender, replies, "No")
    else:
        fail("the age question never came")
    replies = post(rasa, sender, "7")
    if not any(t.startswith("Recorded: ") and "11" in t for t in texts(replies)):
        fail("a typed age of 7 was not recorded as the 5 to 11 band")

    print("== a described concern, through Rasa")
    sender = f"interop-{uuid.uuid4().hex[:8]}"
    replies = post(rasa, sender, DESCRIPTION)
    if not any(t.startswith("From your description I recognised: ") for t in texts(replies)):
        fail("Rasa did not triage the description")

    print("== the same description with one recognised item removed, through the app's Rasa REST channel")
    sender = f"interop-{uuid.uuid4().hex[:8]}"
    replies = post(f"{app}/webhooks/rest/webhook", sender, DESCRIPTION)
    removes = [b for r in replies for b in r.get("buttons") or [] if b["title"].startswith("Remove: ")]
    if len(removes) < 2:
        fail("fewer than two recognised items to remove one from")
    replies = click(f"{app}/webhooks/rest/webhook", sender, replies, removes[0]["title"])
    shown = " ".join(texts(replies))
    if removes[0]["title"].removeprefix("Remove: ") in " ".join(
        b["title"] for r in replies for b in r.get("buttons") or []
    ):
        fail("the removed item is still offered")
    if not shown:
        fail("no reply after removing an item")
    replies = click(f"{app}/webhooks/rest/webhook", sender, replies, "Confirm these")
    if not any("recorded" in t.lower() for t in texts(replies)):
        fail("confirming the items left recorded nothing")
    print("== typed turns done")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].rstrip("/"))
