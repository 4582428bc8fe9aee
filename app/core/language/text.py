"""Reading practitioners' English: normalising, tokens, light stems, abbreviations and the context words
(negation, history, frequency, ages, attendance) that the triage weighs.

Why one module: indicator phrases from the YAML and the practitioner's description must pass through the
*same* normalisation, or "bruised" in a description would never meet "bruise" in a phrase.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.core.language.data import load_yaml

__all__ = [
    "STOPWORDS",
    "Token",
    "ages_in_months",
    "attendance_percent",
    "chronology_dates",
    "normalise",
    "plain",
    "stem",
    "tokenise",
]

# The word tables are data (data/text.yaml), read once here.
_WORDS = load_yaml("text.yaml")
_ABBREVIATIONS_UPPER: dict[str, str] = _WORDS["abbreviations_upper"]
_ABBREVIATIONS: dict[str, str] = _WORDS["abbreviations"]
_MISSPELLINGS: dict[str, str] = _WORDS["misspellings"]
_VARIANTS: dict[str, str] = _WORDS["variants"]
_ROLE_NOUNS: dict[str, frozenset[str]] = {noun: frozenset(before) for noun, before in _WORDS["role_nouns"].items()}
_ROLE_READS_AS: dict[str, str] = _WORDS["role_reads_as"]
_NUMBER_WORDS: dict[str, int] = _WORDS["number_words"]
_IRREGULAR: dict[str, str] = _WORDS["irregular"]
STOPWORDS: frozenset[str] = frozenset(_WORDS["stopwords"])
_STAGE_MONTHS: dict[str, int] = _WORDS["stage_months"]

# A full stop or colon between two digits is part of a number or a clock time ("2.5", "01:10"), not a break.
_SENTENCE_BREAK = re.compile(
    r"(?:[!?;\n]|[.:](?!\d)|(?<!\d)[.:])+\s*|\s+-\s+|\s+but\s+|\s+however\s+|\s+although\s+|\s+though\s+|\s+whereas\s+"
)
_WORD = re.compile(r"[a-z0-9]+(?:[&/'][a-z0-9]+)*|,")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


_CLINICAL = re.compile(r"(\d{1,2})/(12|52|40)")
_CLINICAL_WORDS = {"12": "month old", "52": "week old", "40": "weeks pregnant"}
# A day and month in a chronology's date place, not clinical shorthand: "03/12: late again" opens an entry,
# "on 03/12", "Mon 03/12". Read as ages they made every December note about a baby under 1.
_CHRONOLOGY_DATE = re.compile(
    r"(?im)(?:^[ \t]*[-*\u2022]?[ \t]*(\d{1,2}/\d{1,2})(?=[ \t]*(?:[:)\-]|$))"
    r"|\b(?:on|dated|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?)[ \t]+(\d{1,2}/\d{1,2})\b)"
)


def chronology_dates(normalised: str) -> set[int]:
    """Where each day/month written in a date's place starts."""
    return {m.start(1) if m.group(1) else m.start(2) for m in _CHRONOLOGY_DATE.finditer(normalised)}


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the description: its stem for matching, and where it came from for the evidence."""

    word: str
    stem: str
    start: int
    end: int
    sentence: int


def normalise(text: str) -> str:
    """Unicode NFKC, lower case, straight apostrophes and hyphens (keeps lengths for plain text)."""
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES.sub("'", _DASHES.sub("-", text))
    return text.lower()


_NOT_PLAIN = re.compile(r"[^\w%\s,&]")
_SPACES = re.compile(r"\s+")


def plain(text: str) -> str:
    """`normalise`, then words only, for matching short typed answers: apostrophes dropped, other punctuation
    (except % , &) as spaces, single spaces ("Don't know!" -> "dont know")."""
    text = normalise(text).replace("'", "")
    return _SPACES.sub(" ", _NOT_PLAIN.sub(" ", text)).strip()


def stem(word: str) -> str:
    """A light suffix stripper: "bruised", "bruising", "bruises" and "bruise" all become "bruis"."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in ("ingly", "edly", "ing", "ed", "ies", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            if suffix == "es" and not word.endswith(("ses", "ches", "shes", "xes", "zes", "ies")):
                word = word[:-1]
                break
            word = word[: -len(suffix)] + ("i" if suffix == "ies" else "")
            # "hitting" -> "hitt" -> "hit", but keep "miss", "fall", "kill".
            if (
                suffix in ("ing", "ed", "edly", "ingly")
                and len(word) >= 4
                and word[-1] == word[-2]
                and word[-1] not in "lsz"
            ):
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    return word


def _expand(raw: str, original: str, is_date: bool = False) -> list[str]:
    """Expand one raw token (lower case) to its words, using the original's case for capital-only abbreviations."""
    if raw in _MISSPELLINGS:
        return _MISSPELLINGS[raw].split()
    # Clinical shorthand: "6/12" is six months old, "10/52" ten weeks old, "28/40" twenty-eight weeks pregnant.
    clinical = None if is_date else _CLINICAL.fullmatch(raw)
    if clinical:
        return [clinical.group(1), *_CLINICAL_WORDS[clinical.group(2)].split()]
    if original in _ABBREVIATIONS_UPPER:
        return _ABBREVIATIONS_UPPER[original].split()
    if raw in _ABBREVIATIONS:
        return _ABBREVIATIONS[raw].split()
    if raw in _VARIANTS:
        return _VARIANTS[raw].split()
    if raw.endswith("n't"):
        return [{"can": "can", "wo": "will", "ca": "can", "sha": "shall"}.get(raw[:-3], raw[:-3]), "not"]
    if raw.endswith("'s"):
        raw = raw[:-2]
    raw = raw.replace("'", "")
    if raw in _VARIANTS:
        return _VARIANTS[raw].split()
    # "12yo", "8wk" and "3rd" stay usable: split a number from its unit.
    unit = re.fullmatch(r"(\d+)(yo|y/o|yrs?|wks?|weeks?|months?|mths?|mo|m|pm|am|%)", raw)
    if unit:
        return [unit.group(1), *_expand(unit.group(2), unit.group(2))]
    return [raw]


def tokenise(text: str) -> list[Token]:
    """Split (already redacted) text into tokens with source spans; commas are kept as tokens of their own."""
    normalised = normalise(text)
    if len(normalised) != len(text):
        # NFKC may change lengths (ligatures); fall back to spans in the normalised text.
        text = normalised
    tokens: list[Token] = []
    sentence = 0
    cursor = 0
    dates = chronology_dates(normalised)
    for brk in [*_SENTENCE_BREAK.finditer(normalised), None]:
        end = brk.start() if brk else len(normalised)
        for match in _WORD.finditer(normalised, cursor, end):
            raw = match.group(0)
            original = text[match.start() : match.end()] if len(text) == len(normalised) else raw
            for word in _expand(raw, original, match.start() in dates):
                if word in _ROLE_NOUNS and tokens and tokens[-1].word in _ROLE_NOUNS[word]:
                    word = _ROLE_READS_AS.get(word, "staff")  # "dinner lady": a role at school, not any woman
                tokens.append(Token(word, stem(word), match.start(), match.end(), sentence))
        if brk:
            cursor = brk.end()
            sentence += 1
    return tokens


# --- Numbers, ages and stages --------------------------------------------------------------------

# A number starts where no digit stands before it: otherwise a long run of digits is retried from every
# position (quadratic: 20,000 digits took 18 s in the fuzz test).
_NUMBER = r"((?<!\d)\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_ATTENDANCE = re.compile(
    rf"attend\w*[^.;\d%]{{0,40}}?{_NUMBER}\s*(?:%|per ?cent)|{_NUMBER}\s*(?:%|per ?cent)\s*(?:attend\w*)"
)
_AT_PERCENT = re.compile(r"\b(?:is|s|was|now|currently) at (\d{1,3}(?:\.\d+)?)\s*(?:%|per ?cent)")
_AGE = re.compile(
    rf"\b{_NUMBER}[\s-]*(day|week|wk|month|mth|year|yr)s?[\s-]*(?:old|of age)\b|\baged\s+{_NUMBER}\b(?![\s-]*(?:day|week|wk|month|mth)s?\b)"
)
# "aged 5 weeks", "baby of 3 months": the unit after the number (an age in years is caught above).
_AGE_UNIT_AFTER = re.compile(
    rf"\b(?:aged|(?:baby|infant|child|son|daughter|boy|girl)\s+of)\s+{_NUMBER}[\s-]*(day|week|wk|month|mth)s?\b"
)
_AGE_UNITLESS = re.compile(r"\b(\d{1,2})\s*(?:yo|y/o|yrs?)\b")
_AGE_OF = re.compile(
    r"\b(?:girl|boy|child|son|daughter|lad|pupil)\s+(?:of|aged)\s+(\d{1,2})\b(?![\s-]*(?:day|week|wk|month|mth)s?\b)"
)
# "6/12" (months) and "10/52" (weeks) as health visitors write them; "5mo", "9 mths", "3m old".
_AGE_CLINICAL = re.compile(r"\b(\d{1,2})/(12|52)\b")
_AGE_SHORT_MONTHS = re.compile(r"\b(\d{1,2})\s*(?:mo|mos|mths?|m)\b(?:\s*old)?")
_SCHOOL_YEAR = re.compile(r"\b(?:year|yr|y)\s*(\d{1,2})\b(?!\s*(?:old|%))")
_STAGE = re.compile(r"\b(" + "|".join(re.escape(s) for s in sorted(_STAGE_MONTHS, key=len, reverse=True)) + r")\b")
_UNIT_MONTHS = {"day": 1 / 30, "week": 12 / 52, "wk": 12 / 52, "month": 1, "mth": 1, "year": 12, "yr": 12}


def _number(value: str) -> float:
    return float(_NUMBER_WORDS[value]) if value in _NUMBER_WORDS else float(value)


def attendance_percent(normalised: str) -> float | None:
    """The lowest attendance percentage mentioned ("attendance has slipped to 87%" -> 87.0), if any."""
    values = [_number(m.group(1) or m.group(2)) for m in _ATTENDANCE.finditer(normalised)]
    if not values and "attend" in normalised:
        # "Attendance officer. Y10 boy is at 62%.": a bare "at N%" in a note about attendance
        values = [float(m.group(1)) for m in _AT_PERCENT.finditer(normalised)]
    values = [v for v in values if 0 <= v <= 100]
    return min(values) if values else None


def ages_in_months(normalised: str) -> list[float]:
    """Every child's age the text states or implies, in months: "8 week old" -> 1.8, "Year 9" -> 162."""
    ages: list[float] = []
    for m in _AGE.finditer(normalised):
        if m.group(1):
            ages.append(_number(m.group(1)) * _UNIT_MONTHS[m.group(2)])
        else:
            ages.append(_number(m.group(3)) * 12)
    ages += [_number(m.group(1)) * _UNIT_MONTHS[m.group(2)] for m in _AGE_UNIT_AFTER.finditer(normalised)]
    ages += [int(m.group(1)) * 12.0 for m in _AGE_UNITLESS.finditer(normalised)]
    ages += [int(m.group(1)) * 12.0 for m in _AGE_OF.finditer(normalised)]
    dates = chronology_dates(normalised)
    for m in _AGE_CLINICAL.finditer(normalised):
        if m.start() in dates:
            continue
        ages.append(float(m.group(1)) if m.group(2) == "12" else int(m.group(1)) * 12 / 52)
    ages += [float(m.group(1)) for m in _AGE_SHORT_MONTHS.finditer(normalised)]
    # School year N: the child is N+4 to N+5 years old; take the younger end.
    ages += [(int(m.group(1)) + 4) * 12.0 for m in _SCHOOL_YEAR.finditer(normalised) if 0 < int(m.group(1)) <= 13]
    ages += [float(_STAGE_MONTHS[m.group(1)]) for m in _STAGE.finditer(normalised)]
    return ages
