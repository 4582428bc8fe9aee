"""Negation: whether a match is denied ("no concerns about", "denies", "DV - no").

A negator reaches forward over fillers ("no obvious signs of"), except when it is part of the harm ("won't stop
bleeding", "can't breathe", "not been fed", "no food in the house"): then a concern is not negated, while a level-1 or
strength indicator still is ("not safe at home" is not "safe at home"). A negation that opens a clause carries into
the short items of a list after it ("no concerns about drugs, alcohol or exploitation").
"""

from __future__ import annotations

from collections import defaultdict

from app.core.language.text import STOPWORDS, Token
from app.core.triage.index import Match
from app.core.triage.lexicon import (
    BARE_ANSWERS,
    BEFORE_HARM,
    DENIAL_NOUNS,
    HARM_WHEN_NEGATED,
    LIST_JOINERS,
    NEGATION_FILLER,
    NEGATORS,
    POST_NEGATIONS,
    SERVICE_NOUNS,
    has_sequence,
)
from app.core.triage.tokens import Tokens

NEGATION_REACH = 5  # tokens back from a match that a negation word can reach


def _negator_is_the_harm(tokens: list[Token], i: int) -> bool:
    """Whether the negator at `i` is part of a harm ("won't wake", "not been fed"), not a denial of one."""
    for j in range(i + 1, min(len(tokens), i + 4)):
        if tokens[j].sentence != tokens[i].sentence:
            return False
        if tokens[j].stem in HARM_WHEN_NEGATED:
            return True
        if tokens[j].stem not in BEFORE_HARM:
            return False
    return False


LIST_ITEM_WORDS = 4  # a comma-separated item this short continues the list a negation began


def negation_reaches(tokens: list[Token], clauses: list[int], first: int, concern: bool = True) -> bool:
    """Whether a negator before `first`, in its clause, reaches it over fillers and list items ("no drug or alcohol use").

    For a concern, a negator that is part of the harm ("won't stop bleeding") does not negate it."""
    clause = clauses[first]
    for i in range(first - 1, max(-1, first - 1 - NEGATION_REACH - 3), -1):
        if clauses[i] != clause:
            return False
        if tokens[i].stem in NEGATORS or tokens[i].word in NEGATORS:
            return not (concern and _negator_is_the_harm(tokens, i))
        in_list = i + 1 < len(tokens) and tokens[i + 1].word in LIST_JOINERS
        if tokens[i].stem not in NEGATION_FILLER and tokens[i].word not in NEGATION_FILLER and not in_list:
            return False
    return False


def _denies_worries(tokens: list[Token], clauses: list[int], first: int) -> bool:
    """Whether the clause starting at `first` holds a worry word ("no concerns", "no signs")."""
    i = first
    while i < len(tokens) and clauses[i] == clauses[first]:
        if tokens[i].stem in DENIAL_NOUNS:
            return True
        i += 1
    return False


def negated_list_clauses(tokens: list[Token], clauses: list[int], matched: set[int] | None = None) -> set[int]:
    """Clauses that are items of a list a negation began: "no concerns about drugs, alcohol or exploitation".

    Given `matched` (the clauses where an indicator phrase starts), a negation begins a list only when it denies a
    concern: a worry word ("no concerns", "no signs") or a recognised one ("no self harm, drugs or alcohol"). "No
    family round here, isolated" names what is missing, and "isolated" is a concern of its own."""
    negated: set[int] = set()
    words_in: dict[int, set[int]] = defaultdict(set)
    first_of: dict[int, int] = {}
    for i, (token, clause) in enumerate(zip(tokens, clauses, strict=True)):
        if token.word != ",":
            words_in[clause].add(token.start)
            first_of.setdefault(clause, i)
    carrying = False
    for clause in sorted(words_in):
        first = first_of[clause]
        starts_list = (
            first > 0 and tokens[first - 1].word == "," and tokens[first - 1].sentence == tokens[first].sentence
        )
        if carrying and starts_list and len(words_in[clause]) <= LIST_ITEM_WORDS:
            negated.add(clause)
            continue
        # A clause carries its negation into the list when it opens with one: "no concerns re drugs";
        # but not when the negative is a harm itself: "no food in the house, no heating".
        opening = [i for i in (first, first + 1) if i < len(tokens) and clauses[i] == clause]
        carrying = any(tokens[i].stem in NEGATORS and not _negator_is_the_harm(tokens, i) for i in opening) and (
            matched is None or clause in matched or _denies_worries(tokens, clauses, first)
        )
    return negated


def _denies_a_service(tokens: list[Token], match: Match, clauses: list[int]) -> bool:
    after = match.last + 1
    return after < len(tokens) and clauses[after] == clauses[match.last] and tokens[after].stem in SERVICE_NOUNS


def is_negated(
    tokens: Tokens, match: Match, clauses: list[int], listed: set[int] | None = None, concern: bool = True
) -> bool:
    if match.phrase.parts[0][0] in NEGATORS:
        return False
    if concern and _denies_a_service(tokens, match, clauses):
        return False
    clause = clauses[match.first]
    if listed and clause in listed:
        return True
    if negation_reaches(tokens, clauses, match.first, concern):
        return True
    if _answered_no(tokens, match.last):
        return True
    after = [
        t.stem
        for t, c in zip(tokens[match.last + 1 : match.last + 6], clauses[match.last + 1 : match.last + 6], strict=True)
        if c == clause
    ]
    after = [s for s in after if s not in STOPWORDS or s in ("not", "no")]
    return has_sequence(after[:3], POST_NEGATIONS)


ANSWER_REACH = 4  # words after the match, in its sentence, before the answer


def _answered_no(tokens: Tokens, last: int) -> bool:
    """Whether the words after a match end their sentence and the next "sentence" is only a no ("DV - no")."""
    sentence = tokens[last].sentence
    tail = [t for t in tokens[last + 1 : tokens.sentence_range(sentence).stop] if t.word != ","]
    answer = [t for t in tokens.in_sentence(sentence + 1) if t.word != ","]
    return (
        len(tail) <= ANSWER_REACH
        and 0 < len(answer) <= 2
        and answer[0].word in ("no", "none", "nil", "negative", "denied")
        and all(t.word in BARE_ANSWERS for t in answer)
    )
