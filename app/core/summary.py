"""The outcome as plain text and printable HTML, for pasting into a referral form. Nothing identifying."""

from __future__ import annotations

from html import escape

from app.core.engine import Outcome


def summary_text(outcome: Outcome | None, answers_only: list[tuple[str, str]] | None = None) -> str:
    lines = ["Threshold Guide summary", "=======================", ""]
    if outcome is None:
        lines += ["Assessment not finished yet.", ""]
        for question, answer in answers_only or []:
            lines.append(f"- {question} {answer}")
        return "\n".join(lines) + "\n"
    lines.append(outcome.summary)
    lines += ["", outcome.meaning, "", "Answers:"]
    lines += [
        f"- {a.question} {a.answer}{' (from description, confirmed)' if a.prefilled else ''}" for a in outcome.answers
    ]
    lines += ["", "Why this level:"]
    lines += [f"- [level {i.level}] {i.text}" for i in outcome.reasons.indicators] or [
        "- No additional needs recorded."
    ]
    lines += [f"- Rule: {r.text}" for r in outcome.reasons.rules]
    if outcome.reasons.unknowns:
        lines += ["", "Still to find out:"]
        lines += [f"- {u.question}" for u in outcome.reasons.unknowns]
    if outcome.reasons.strengths:
        lines += ["", "Strengths:"] + [f"- {s.text}" for s in outcome.reasons.strengths]
    lines += ["", "What to do:"]
    for route in outcome.routes:
        lines.append(f"- {route.name}: {route.what_to_do}")
        lines += [f"    {c.name}{': ' + c.phone if c.phone else ''}" for c in route.contacts]
    lines += ["", f"Consent: {outcome.consent}", "", f"If you disagree: {outcome.escalation}", ""]
    lines += [outcome.caveat, f"Content version {outcome.content_version}"]
    return "\n".join(lines) + "\n"


def summary_html(text: str) -> str:
    """Printable page around the plain text; everything is escaped, nothing is executed."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threshold Guide summary</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}"
        "pre{white-space:pre-wrap;font:inherit}</style></head><body><main><pre>"
        f"{escape(text)}</pre></main></body></html>"
    )
