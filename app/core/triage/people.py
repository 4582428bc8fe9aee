"""Who the words are about: a child, an adult, a sibling; and an adult partner's age beside a child's.

A match in a domain about the child's own behaviour is set aside when the nearest person before it in its clause is an
adult ("mum self-harms"), and one in a domain about the parents is set aside when that person is a child ("the 14
year old drinks cider"); a match beside a sibling carries a note to check who is at risk.
"""

from __future__ import annotations

import re

from app.core.language.text import Token
from app.core.triage.index import Match
from app.core.triage.lexicon import (
    ADULTS,
    AGE_UNITS,
    BE_AFTER_S,
    CHILDREN,
    PARENTS,
    PERSON_STEMS,
    PRONOUNS,
    SIBLINGS,
    STAFF,
)


def about_an_adult(tokens: list[Token], match: Match, clauses: list[int]) -> bool:
    """True when the nearest person named before the match, in its clause, is an adult ("mum has anxiety")."""
    clause = clauses[match.first]
    for i in range(match.first - 1, max(-1, match.first - 9), -1):
        if clauses[i] != clause:
            return False
        word = tokens[i].stem
        if word in CHILDREN or (word == "old" and i > 0 and tokens[i - 1].stem == "year"):
            return False
        if word in ADULTS:
            return True
    return False


def _is_possessive(tokens: list[Token], i: int, source: str) -> bool:
    """ "dad's methadone" (an owner), not "dad's in hospital" (dad is)."""
    if not source[tokens[i].start : tokens[i].end].endswith(("'s", "\u2019s")) or i + 1 >= len(tokens):
        return False
    return tokens[i + 1].word not in BE_AFTER_S


PERSON_REACH = 12  # tokens back, within the sentence, to look for who a match is about

PRONOUN_REACH = 40  # tokens back, across sentences, to look for whom a pronoun stands

_PRONOUN_GENDER = {"he": "m", "she": "f"}  # subjects only: "his dad drinks" is about dad


def pronoun_means_a_child(tokens: list[Token], first: int) -> bool:
    """Whether the words at `first` follow a "he"/"she" (with no person named in between) that stands for a child:
    the nearest person of that gender named before it is a child ("Y10 boy ... Mum says he won't get out of bed")."""
    if tokens[first].stem in PERSON_STEMS or tokens[first].stem in PARENTS:
        return False  # the words name their own person ("dad drinks")
    pronoun = None
    for i in range(first - 1, max(-1, first - 4), -1):
        if tokens[i].sentence != tokens[first].sentence:
            return False
        if tokens[i].word in _PRONOUN_GENDER:
            pronoun = i
            break
        if tokens[i].stem in PERSON_STEMS:
            return False
    if pronoun is None:
        return False
    gender = _PRONOUN_GENDER[tokens[pronoun].word]
    for i in range(pronoun - 1, max(-1, pronoun - 1 - PRONOUN_REACH), -1):
        word = tokens[i].stem
        is_age = word == "old" and i > 0 and tokens[i - 1].stem in AGE_UNITS
        kind = (None, True) if is_age else PERSON_STEMS.get(word)
        if kind is None or kind[0] not in (None, gender):
            continue
        return kind[1]
    return False


def nearest_person(tokens: list[Token], first: int, source: str | None = None) -> str | None:
    """Who the words at `first` are most likely about: the nearest person named before them in the sentence.

    "child" for a child word or a stated age ("14 year old"), "adult" for a parent or other adult, None when a
    pronoun comes first (it could be anyone) or nobody is named. Given the `source`, "dad's" in "swallowed
    dad's methadone" is passed over as an owner, not a person the words are about.
    """
    for i in range(first - 1, max(-1, first - 1 - PERSON_REACH), -1):
        if tokens[i].sentence != tokens[first].sentence:
            return None
        word = tokens[i].stem
        if source is not None and _is_possessive(tokens, i, source):
            continue
        if tokens[i].word in PRONOUNS:
            return None
        if word in ADULTS or word in STAFF:
            return "adult"
        if word in CHILDREN or word in SIBLINGS or (word == "old" and i > 0 and tokens[i - 1].stem in AGE_UNITS):
            return "child"
    return None


_STATED_AGE = re.compile(r"\b(\d{1,2})\s*(?:-|\s)?(?:years?\s*old|year-old|yrs?\s*old|yo|y/o)?\b")

_PARTNER_AFTER = re.compile(r"^\W{0,3}(?:boyfriend|girlfriend|partner|lover|fianc[eé])\b")

_PARTNER_BEFORE = re.compile(
    r"\b(?:boyfriend|girlfriend|partner|father|dad)(?: of the baby)?(?: who)? is(?: a| an)?\s*$"
)


# A 16 or 17 year old may lawfully have a partner a little older ("her 19 year old boyfriend"); a partner this
# many years older, or any adult partner of a child under 16, is the concern.
PARTNER_AGE_GAP = 5


def adult_partner(normalised: str, ages: list[float]) -> str | None:
    """The words stating an adult partner's age beside a child's: "15yo ... her 32 year old boyfriend"."""
    child_ages = [age for age in ages if age < 18 * 12]
    if not child_ages:
        return None
    youngest = min(child_ages) / 12
    for found in _STATED_AGE.finditer(normalised):
        partner_age = int(found.group(1))
        if not 18 <= partner_age <= 80 or (youngest >= 16 and partner_age - youngest < PARTNER_AGE_GAP):
            continue
        after = _PARTNER_AFTER.search(normalised[found.end() : found.end() + 20])
        if after:
            return normalised[found.start() : found.end() + after.end()]
        window = max(0, found.start() - 40)
        before = _PARTNER_BEFORE.search(normalised[window : found.start()])
        if before:
            return normalised[window + before.start() : found.end()]
    return None
