"""Removal of identifying details from a practitioner's free text before it is read, stored or echoed.

Why: a description typed into the triage box may name a child, a school or a street. We keep what
matters for the decision (ages, school years, percentages, frequencies) and replace what identifies
someone with a placeholder such as ``[name]``. Every pattern is compiled once at import.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.language.data import load_words

__all__ = ["Redacted", "redact"]


@dataclass(frozen=True)
class Redacted:
    """Text with identifying details replaced, and how many of each kind were found."""

    text: str
    found: dict[str, int] = field(default_factory=dict)


_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
# "May" only when capitalised: "she may have" is not a date.
_MONTH = rf"(?:(?i:{_MONTHS})\b\.?|May\b)"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"

# Bounded parts, starting only where a run of address characters starts: an unbounded `[\w.+-]+` tried from
# every position of a long run with no "@" ("0.0.0...") was quadratic (1.3 s on 20,000 characters).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+\b")
# NHS numbers are ten digits, usually written 3-3-4; a leading 0 is a phone number instead.
_NHS = re.compile(r"(?<![\d+])(?:[1-9]\d{2}[ -]\d{3}[ -]\d{4}|[1-9]\d{9})(?!\d)")
_NHS_LABELLED = re.compile(r"(?i:\bnhs\s*(?:no\.?|number|#)?\s*:?\s*)(\d[\d -]{8,12}\d)")
# UK phone numbers: 0 or +44 then 9-10 more digits, in the usual groupings.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?\d|\(?0\d)[\d\s()-]{7,14}\d(?!\d)")
_POSTCODE = re.compile(r"\b(?i:[a-z]{1,2}\d[a-z\d]?)\s*(?!\d(?i:st|nd|rd|th)\b)\d(?i:[abd-hjlnp-uw-z]{2})\b")
_DATE_NUMERIC = re.compile(r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})\b")
_DATE_WORDS = re.compile(
    rf"\b(?:{_ORDINAL}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?|{_MONTH}\s+{_ORDINAL}\b(?:,?\s+\d{{4}})?)"
)
_DOB = re.compile(r"(?i:\b(?:d\.?o\.?b\.?|date of birth|born(?: on| in)?)\s*:?\s*)(\d{4}|(?i:[a-z]+)\s+\d{4})\b")
_STREET_WORDS = (
    "road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|crescent|grove|place|court|gardens|terrace|walk|"
    "square|row|mews|rise|park|parade|green|hill|view"
)
_CAP = r"[A-Z][a-zA-Z'-]+"
_ADDRESS_NUMBERED = re.compile(
    rf"\b(?:(?i:flat|apartment|unit)\s+\d+[a-zA-Z]?,?\s+)?\d{{1,4}}[a-zA-Z]?,?\s+(?:{_CAP}\s+){{1,3}}(?i:{_STREET_WORDS})\b\.?"
)
# Without a house number we require capitals on both words ("Cromwell Avenue") to avoid "the road".
_ADDRESS_NAMED = re.compile(
    r"\b(?:[A-Z][a-z'-]+\s+){1,2}(?:Road|Street|Lane|Avenue|Close|Drive|Crescent|Grove|Terrace|Gardens|Mews|Parade)\b"
)
# Started only where a word starts (not after an apostrophe or hyphen inside one), and words of at most 40
# letters: from every capital of a long "A'A'A'..." the words were scanned again (quadratic, 1.4 s).
_SCHOOL = re.compile(
    r"(?<![\w'.-])(?:[A-Z][a-zA-Z'.-]{1,40}\s+){1,4}(?:C\s?of\s?E\s+|CE\s+|RC\s+)?"
    r"(?:Primary|High|Academy|School|College|Nursery|Infants?|Juniors?|Grammar)\b(?:\s+(?:School|Academy))?"
)
# Word lists are data (data/*.txt), read once here.
_SCHOOL_STOPWORDS = load_words("school_stopwords.txt")
_FIRST_NAMES = load_words("first_names.txt")
_NOT_NAMES = load_words("not_names.txt")
_TITLE_NAME = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+([A-Z][a-zA-Z'-]+(?:[ -][A-Z][a-zA-Z'-]+)?)")
_CALLED = re.compile(r"\b(?:called|named|known as|name is|names? are)\s+([A-Z][a-zA-Z'-]+)")
_FAMILY = (
    "mum|mother|mam|dad|father|son|daughter|brother|sister|sibling|stepdad|stepmum|step-dad|step-mum|partner|"
    "boyfriend|girlfriend|husband|wife|nan|nana|gran|grandma|grandad|grandfather|grandmother|uncle|aunt|auntie|"
    "cousin|baby|child|boy|girl|pupil|student|friend|carer|ex|lad|teenager|toddler|infant|niece|nephew"
)
_FAMILY_THEN_NAME = re.compile(rf"\b(?i:{_FAMILY})\s*,?\s+([A-Z][a-z'-]+)\b")
_NAME_POSSESSIVE = re.compile(rf"\b([A-Z][a-z'-]+)('s?\s+(?i:{_FAMILY})\b)")
_NAME_WITH_AGE = re.compile(
    r"\b([A-Z][a-z'-]+)(\s*(?:\(\s*\d{1,2}\s*\)|,\s*(?:aged\s+)?\d{1,2}\b(?!\s*%)|\s+aged\s+\d{1,2}\b))"
)


Replacer = Callable[[re.Match[str]], str | None]


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _phone(match: re.Match[str]) -> str | None:
    digits = _digits(match.group(0).replace("+44", "0", 1))
    return "[phone]" if 10 <= digits <= 11 else None


def _school(match: re.Match[str]) -> str | None:
    whole = match.group(0)
    words = whole.split()
    # "At School" or "Secondary School" is not a named school: the first word must be a proper name.
    while words and words[0] in _SCHOOL_STOPWORDS:
        words = words[1:]
    if len(words) < 2:
        return None
    return whole[: whole.index(words[0])] + "[school]"


def _keep_prefix(placeholder: str) -> Replacer:
    """Replace only the first capture group's text, keeping the label before it ("DOB: [date]")."""
    return lambda m: m.group(0)[: m.start(1) - m.start(0)] + placeholder


def _constant(placeholder: str) -> Replacer:
    return lambda _match: placeholder


# Order matters: specific, digit-heavy patterns first so that a phone number is not read as a date.
_STEPS: tuple[tuple[str, re.Pattern[str], Replacer], ...] = (
    ("email", _EMAIL, _constant("[email]")),
    ("nhs_number", _NHS_LABELLED, _keep_prefix("[nhs number]")),
    ("phone", _PHONE, _phone),
    ("nhs_number", _NHS, _constant("[nhs number]")),
    ("postcode", _POSTCODE, _constant("[postcode]")),
    ("date", _DATE_NUMERIC, _constant("[date]")),
    ("date", _DATE_WORDS, _constant("[date]")),
    ("date", _DOB, _keep_prefix("[date]")),
    ("address", _ADDRESS_NUMBERED, _constant("[address]")),
    ("address", _ADDRESS_NAMED, _constant("[address]")),
    ("school", _SCHOOL, _school),
)
# Patterns whose group 1 is a person's name (given the context around it).
_NAME_CONTEXTS: tuple[re.Pattern[str], ...] = (_CALLED, _FAMILY_THEN_NAME, _NAME_POSSESSIVE, _NAME_WITH_AGE)
_CAPITALISED = re.compile(r"\b[A-Z][a-z'-]+\b")


def _substitute(pattern: re.Pattern[str], text: str, kind: str, found: Counter[str], replace: Replacer) -> str:
    def wrapped(match: re.Match[str]) -> str:
        result = replace(match)
        if result is None:
            return match.group(0)
        found[kind] += 1
        return result

    return pattern.sub(wrapped, text)


def _names_in(text: str) -> set[str]:
    names = {m.group(2).split()[0] for m in _TITLE_NAME.finditer(text)}
    names |= {m.group(2) for m in _TITLE_NAME.finditer(text) if " " in m.group(2)}
    for pattern in _NAME_CONTEXTS:
        names |= {m.group(1) for m in pattern.finditer(text)}
    words = _CAPITALISED.findall(text)
    names |= {word for word in words if word in _FIRST_NAMES}
    # A capitalised word straight after a known name is taken as a surname ("Jake Smith").
    for first, second in itertools.pairwise(words):
        if first in names and f"{first} {second}" in text:
            names.add(second)
    return names - _NOT_NAMES


def redact(text: str) -> Redacted:
    """Replace names, dates, NHS numbers, phones, emails, postcodes, addresses and schools with placeholders.

    Why: a name found once in context ("her son Jake") is removed wherever else it appears.
    """
    found: Counter[str] = Counter()
    for kind, pattern, replace in _STEPS:
        text = _substitute(pattern, text, kind, found, replace)
    names = _names_in(text)
    if names:
        # Longest first, and adjacent names collapse into one placeholder ("Jake Smith" -> "[name]").
        alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"\b(?:{alternatives})\b(?:[ -](?:{alternatives})\b)*")
        text = _substitute(pattern, text, "name", found, _constant("[name]"))
    return Redacted(text=text, found=dict(found))
