"""A child's age or stage, typed or written in a description, as an option of the age question.

The bands follow the options of `age_stage` in dialogues/assessment.yaml (a test checks they still match).
A typed answer to the age question is read whole ("7", "7yo", "y9", "8/12", "6 weeks", "5 to 11"); a
description is searched only for explicit ages ("7 year old", "aged 14", "Year 9", "8/12", "pregnant"),
since a bare number in a note is rarely an age.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from app.core.language.text import chronology_dates

AGE_QUESTION = "age_stage"
UNBORN = "unborn"
# option value -> ages in months it covers, from (inclusive) to (exclusive)
BANDS: dict[str, tuple[float, float]] = {
    "baby_under_1": (0, 12),
    "under_5": (12, 60),
    "age_5_to_11": (60, 144),
    "age_12_to_17": (144, 216),
}
_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17,
}  # fmt: skip
_N = r"(\d{1,2}(?:\.\d)?|" + "|".join(_WORDS) + ")"
_UNITS = {"day": 1 / 30, "week": 12 / 52, "month": 1.0, "year": 12.0}
_UNIT = r"(d(?:ays?)?|w(?:ee)?ks?|weeks?|w|m(?:on)?ths?|months?|mos?|m|y(?:ea)?rs?|years?|yo|y\s*/\s*o|y\s+o|y)"
_STAGES: dict[str, str | float] = {
    "unborn": UNBORN, "pregnant": UNBORN, "pregnancy": UNBORN, "expecting": UNBORN, "antenatal": UNBORN,
    "not yet born": UNBORN, "not born": UNBORN, "newborn": 0, "new born": 0, "neonate": 0, "baby": 3,
    "infant": 6, "toddler": 24, "nursery": 42, "preschool": 42, "pre school": 42, "reception": 54,
    "primary": 84, "secondary": 150, "teenager": 170, "teen": 170, "adolescent": 170, "sixth form": 204,
    "6th form": 204, "year r": 54, "yr r": 54, "expecting a baby": UNBORN, "unborn baby": UNBORN,
    "baby on the way": UNBORN, "newborn baby": 0, "new baby": 0,
}  # fmt: skip
_STAGE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _STAGES), key=len, reverse=True)) + r")\b")
_FILLER = re.compile(
    r"^(?:(?:he|she|they|child|the child|baby|it)\s*(?:is|s|are|re)?\s+|hes\s+|shes\s+|theyre\s+|aged?\s+|"
    r"about\s+|around\s+|nearly\s+|almost\s+|just\s+|in\s+)+"
)


def _number(word: str) -> float:
    return float(_WORDS[word]) if word in _WORDS else float(word)


def _unit_months(unit: str) -> float:
    unit = unit.replace(" ", "")
    if unit.startswith("d"):
        return _UNITS["day"]
    if unit.startswith("w"):
        return _UNITS["week"]
    if unit.startswith("m"):
        return _UNITS["month"]
    return _UNITS["year"]


def band(months: float) -> str | None:
    """The option value of the band an age in months falls in; None for 18 or over."""
    return next((value for value, (low, high) in BANDS.items() if low <= months < high), None)


_TYPED_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^(?:between\s+)?{_N}\s*(?:-|to|or|and|\s)\s*{_N}\s*(?:years?|yrs?)?(?:\s*old)?$"), "range"),
    # "under 1" is a baby; "under 5" could be a baby or a toddler, so it is not read (the choices are shown).
    (re.compile(rf"^(?:under|less\s+than|younger\s+than|below)\s+(?:a|an|{_N})\s*{_UNIT}?$"), "under"),
    (re.compile(r"^(\d{1,2})\s*/\s*(12|52)$"), "clinical"),
    (re.compile(r"^(?:year|yr|y)\s*(\d{1,2})$"), "school"),
    (re.compile(rf"^{_N}\s*{_UNIT}?(?:\s*old)?$"), "unit"),
]


def typed_age_months(text: str) -> list[float] | None:
    """A typed answer to "How old is the child?" as ages in months (a range gives both ends); None if unread."""
    text = _FILLER.sub("", text.strip()).strip()
    text = re.sub(r"(\d)\s+and\s+a\s+half\b", r"\1.5", text)  # "2 and a half"
    for pattern, kind in _TYPED_PATTERNS:
        found = pattern.match(text)
        if not found:
            continue
        if kind == "range":
            return [_number(found.group(1)) * 12, _number(found.group(2)) * 12]
        if kind == "under":
            count = _number(found.group(1)) if found.group(1) else 1.0
            months = _unit_months(found.group(2)) if found.group(2) else 12.0
            return [0.0, count * months - 0.01]
        if kind == "clinical":
            return [float(found.group(1)) * (1.0 if found.group(2) == "12" else 12 / 52)]
        if kind == "school":
            year = int(found.group(1))
            return [(year + 4) * 12.0] if 0 < year <= 13 else None
        unit = found.group(2)
        return [_number(found.group(1)) * (_unit_months(unit) if unit else 12.0)]
    return None


def age_option(text: str) -> str | None:
    """A typed age or stage as the age question's option value ("7" -> age_5_to_11, "8/12" -> baby_under_1)."""
    months = typed_age_months(text)
    if months is not None:
        bands = {band(m) for m in months}
        return bands.pop() if len(bands) == 1 and None not in bands else None
    # Compared by band: "newborn baby" names two stages in one band.
    stages = {stage if isinstance(stage, str) else band(stage) for stage in (_STAGES[s] for s in _STAGE.findall(text))}
    return stages.pop() if len(stages) == 1 else None


# --- In a description -----------------------------------------------------------------------------

_DESCRIBED = re.compile(
    rf"\b{_N}[\s-]*(day|week|wk|month|mth|year|yr)s?[\s-]*old\b"
    rf"|\b{_N}\s*(?:yo|y/o|yrs?\s+old)\b"
    rf"|\baged\s+{_N}(?:\s*(day|week|wk|month|mth|year|yr)s?)?\b"
    r"|\b(\d{1,2})\s*/\s*(12|52)\b"
    r"|\b(?:year|yr|y)\s*(\d{1,2})\b(?!\s*(?:old|%|olds))"
)
_DESCRIBED_STAGE = re.compile(r"\b(unborn|pregnant|pregnancy|expecting a baby|newborn|new born|toddler|teenager)\b")


class Mention(NamedTuple):
    value: str  # the age question's option value
    words: str  # the words it was read from, as written (lower case)


def described_ages(text: str) -> list[Mention]:
    """Every explicit age or stage in a description, each with its band and the words it came from."""
    lowered = text.lower()
    found: list[Mention] = []
    dates = chronology_dates(lowered)
    for match in _DESCRIBED.finditer(lowered):
        g = match.groups()
        if g[5] is not None and match.start(6) in dates:
            continue  # "03/12: late again" is a date, not a baby of three months
        if g[0] is not None:
            months = _number(g[0]) * _unit_months(g[1])
        elif g[2] is not None:
            months = _number(g[2]) * 12
        elif g[3] is not None:
            months = _number(g[3]) * (_unit_months(g[4]) if g[4] else 12)
        elif g[5] is not None:
            months = float(g[5]) * (1.0 if g[6] == "12" else 12 / 52)
        else:
            year = int(g[7])
            if not 0 < year <= 13:
                continue
            months = (year + 4) * 12.0
        value = band(months)
        if value is not None:
            found.append(Mention(value, match.group(0)))
    for match in _DESCRIBED_STAGE.finditer(lowered):
        stage = _STAGES.get(match.group(1), UNBORN)
        value = stage if isinstance(stage, str) else band(stage)
        if value is not None:
            found.append(Mention(value, match.group(0)))
    return found
