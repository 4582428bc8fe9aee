"""The sign-off list: every `verify: true` item in the content, grouped for the partnership's meeting.

Each item says where it is (file:line, from the loader's line tracking), what it says now, and its source,
with empty "confirmed by" and "date" columns for the meeting to fill in.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from app.content.loader import LineDict, LineList, content_files, content_hash, parse_yaml

# Group id -> heading, in the order the meeting goes through them.
GROUPS: dict[str, str] = {
    "contacts": "Contacts",
    "levels": "Level names and wording",
    "rules": "Decision rules and indicator levels",
    "law": "Law and guidance",
    "procedures": "Procedures and links",
    "other": "Other (glossary terms and the rest)",
}

FORMATS = ("markdown", "json", "html")
TEMPLATES = Path(__file__).resolve().parent / "templates"

# The fields that best say what an item currently states, in order of preference.
_LABEL_KEYS = ("name", "title", "term", "id", "step")
_DETAIL_KEYS = ("phone", "url", "expansion")
_TEXT_KEYS = ("text", "meaning", "answer", "what_to_do", "how")
# Where national law and government guidance live; a council's own pages are local procedures.
_NATIONAL_HOSTS = {
    "www.gov.uk",
    "gov.uk",
    "www.legislation.gov.uk",
    "legislation.gov.uk",
    "assets.publishing.service.gov.uk",
}


@dataclass(frozen=True)
class SignoffItem:
    group: str
    file: str
    line: int
    where: str  # the key path inside the file, e.g. contacts.0
    value: str
    source: str
    confirmed_by: str = ""
    date: str = ""

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


def _flat(value: Any) -> str:
    return " ".join(str(value).split())


def _group(file: str, path: list[str | int], node: LineDict) -> str:
    top = str(path[0]) if path else ""
    if "phone" in node or top == "contacts":
        return "contacts"
    if file == "rules/levels.yaml":
        return "levels"
    if file == "rules/decision.yaml" or file.startswith("rules/indicators/"):
        return "rules"
    if file == "rules/partnership.yaml" or (file == "rules/escalation.yaml" and top in ("timelines", "")):
        return "law"
    if file == "rules/procedures.yaml" and urlsplit(str(node.get("url", ""))).hostname in _NATIONAL_HOSTS:
        return "law"  # statutory and government guidance, not a local procedure
    if file in ("rules/procedures.yaml", "rules/routes.yaml", "rules/escalation.yaml"):
        return "procedures"
    return "other"


def _value(node: LineDict, subject: str | None) -> str:
    """What the item says now: the subject of an `X_verify` key, or the item's label, details and text."""
    if subject is not None:
        return f"{subject}: {_flat(node.get(subject, ''))}"
    parts = []
    if "level" in node and isinstance(node["level"], int):
        parts.append(f"level {node['level']}")
    label = next((node[k] for k in _LABEL_KEYS if k in node), None)
    if label is not None:
        parts.append(_flat(label))
    parts += [_flat(node[k]) for k in _DETAIL_KEYS if k in node]
    text = next((node[k] for k in _TEXT_KEYS if k in node), None)
    if text is not None:
        parts.append(_flat(text))
    return " | ".join(parts)


def _walk(node: Any, path: list[str | int], found: list[tuple[list[str | int], LineDict, str | None, int]]) -> None:
    if isinstance(node, LineDict):
        for key, value in node.items():
            if value is True and (key == "verify" or key.endswith("_verify")):
                subject = None if key == "verify" else key.removesuffix("_verify")
                line = node.key_lines.get(subject, node.line) if subject else node.line
                found.append((path, node, subject, line))
        for key, value in node.items():
            _walk(value, [*path, key], found)
    elif isinstance(node, LineList):
        for index, value in enumerate(node):
            _walk(value, [*path, index], found)


def signoff_items(root: Path | str) -> list[SignoffItem]:
    """Every `verify: true` (and `<key>_verify: true`) in rules/ and dialogues/, grouped, in file order."""
    root = Path(root)
    items: list[SignoffItem] = []
    for path in sorted(content_files(root)):
        relative = path.relative_to(root).as_posix()
        data = parse_yaml(path.read_text(encoding="utf-8"), relative)
        found: list[tuple[list[str | int], LineDict, str | None, int]] = []
        _walk(data, [], found)
        for key_path, node, subject, line in found:
            items.append(
                SignoffItem(
                    group=_group(relative, key_path, node),
                    file=relative,
                    line=line,
                    where=".".join(str(p) for p in key_path) or "(top level)",
                    value=_value(node, subject),
                    source=_flat(node.get("source", "")),
                )
            )
    order = list(GROUPS)
    return sorted(items, key=lambda i: (order.index(i.group), i.file, i.line))


def version_of(root: Path | str) -> str:
    """The content version as outcomes show it (version+hash), read without validating everything: the
    sign-off list is useful while other parts of the content are still being fixed."""
    root = Path(root)
    info = parse_yaml((root / "rules" / "content.yaml").read_text(encoding="utf-8"), "rules/content.yaml")
    version = info.get("version", "unknown") if isinstance(info, dict) else "unknown"
    return f"{version}+{content_hash(root)}"


def counts(items: list[SignoffItem]) -> dict[str, int]:
    """Items per group, every group listed (0 when empty)."""
    return {group: sum(1 for i in items if i.group == group) for group in GROUPS}


# --- Output -------------------------------------------------------------------------------------


def to_json(items: list[SignoffItem]) -> str:
    return json.dumps([{**asdict(i), "location": i.location} for i in items], indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(items: list[SignoffItem], version: str) -> str:
    lines = [
        f"# Content sign-off, version {version}",
        "",
        f"{len(items)} items marked `verify: true`. Confirm each against the partnership's own documents, "
        "then fill in who confirmed it and when.",
        "",
        *[f"- {GROUPS[g]}: {n}" for g, n in counts(items).items()],
    ]
    for group, heading in GROUPS.items():
        members = [i for i in items if i.group == group]
        if not members:
            continue
        lines += ["", f"## {heading} ({len(members)})", ""]
        lines += ["| Where | Current value | Source | Confirmed by | Date |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {i.location} | {_cell(i.value)} | {_cell(i.source)} |  |  |" for i in members]
    return "\n".join(lines) + "\n"


def html_sections(items: list[SignoffItem]) -> str:
    """The grouped tables as HTML, for the CLI's page and the admin page."""
    row = Template((TEMPLATES / "signoff_row.html").read_text(encoding="utf-8"))
    section = Template((TEMPLATES / "signoff_section.html").read_text(encoding="utf-8"))
    out = []
    for group, heading in GROUPS.items():
        members = [i for i in items if i.group == group]
        if not members:
            continue
        rows = "".join(
            row.substitute(location=html.escape(i.location), value=html.escape(i.value), source=html.escape(i.source))
            for i in members
        )
        out.append(section.substitute(heading=html.escape(heading), count=len(members), rows=rows))
    return "".join(out)


def to_html(items: list[SignoffItem], version: str) -> str:
    page = Template((TEMPLATES / "signoff.html").read_text(encoding="utf-8"))
    summary = "".join(f"<li>{html.escape(GROUPS[g])}: {n}</li>" for g, n in counts(items).items())
    return page.substitute(
        version=html.escape(version), total=len(items), summary=summary, sections=html_sections(items)
    )


def render(items: list[SignoffItem], version: str, fmt: str) -> str:
    if fmt == "json":
        return to_json(items)
    if fmt == "html":
        return to_html(items, version)
    return to_markdown(items, version)
