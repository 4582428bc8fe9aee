"""Recognising indicator phrases and concepts in the tokens of a description.

A phrase matches its words in order, allowing a couple of small words between them (`MAX_GAP`); a phrase whose
words are all small ("had been cut") matches word for word. A more specific phrase wins over a shorter one inside it.
"""

from __future__ import annotations

from collections import defaultdict

from app.core.language.text import STOPWORDS, Token
from app.core.triage.index import Concept, Match, Phrase, PhraseTable, TriageIndex, WordSense
from app.core.triage.lexicon import (
    CLASSES,
    CONTRACTED,
    NEGATORS,
    REPORTING,
    TELLING,
)
from app.core.triage.negation import negation_reaches
from app.core.triage.tokens import Tokens

MAX_GAP = 2  # content words allowed between two words of a phrase ("bruising on her upper arm")


def find_matches(index: TriageIndex | PhraseTable, tokens: Tokens) -> list[Match]:
    content, position = tokens.content, tokens.position
    matches: list[Match] = []
    for ti, token in enumerate(tokens):
        candidates = index.by_first.get(token.stem, [])
        heads = {token.word[:3], token.stem[:3]}
        prefixed = [p for head in heads for p in index.by_prefix.get(head, ()) if part_matches(p.parts[0], token)]
        if not candidates and not prefixed:
            continue
        ahead = _stems_ahead(tokens, position.get(ti))
        for phrase in [*candidates, *prefixed]:
            if phrase.exact:
                end = match_exact(phrase.parts, tokens, ti)
            elif ti in position and _may_follow(phrase.parts, ahead):
                end = match_rest(phrase.parts, tokens, content, position[ti])
            else:
                end = None
            if (
                end is not None
                and not _splits_an_expansion(tokens, ti, end)
                and not _negator_inside(phrase, tokens, ti, end)
            ):
                matches.append(Match(phrase, ti, end))
    return _drop_contained(matches)


def _negator_inside(phrase: Phrase, tokens: Tokens, first: int, last: int) -> bool:
    """A gap with a negator in it parts a phrase's words ("a smack on the hand, no marks" is no hand mark), unless
    the phrase has a negator of its own ("explanation does not fit")."""
    if phrase.exact or any(word in NEGATORS for word in phrase.text.split()):
        return False
    return any(tokens[k].word in NEGATORS for k in range(first + 1, last))


def _stems_ahead(tokens: Tokens, ci: int | None) -> frozenset[str]:
    """The stems of the content words a phrase's second word may be, after content word `ci` (see match_rest)."""
    if ci is None:
        return frozenset()
    content, sentence = tokens.content, tokens[tokens.content[ci]].sentence
    return frozenset(
        tokens[content[k]].stem
        for k in range(ci + 1, min(len(content), ci + MAX_GAP + 2))
        if tokens[content[k]].sentence == sentence
    )


def _may_follow(parts: tuple[tuple[str, bool], ...], ahead: frozenset[str]) -> bool:
    """A quick no: the phrase's second word is not among the words that follow (most candidates stop here)."""
    if len(parts) < 2 or parts[1][1]:
        return True  # one word, or a prefix: match_rest decides
    value = parts[1][0]
    return value in ahead or not ahead.isdisjoint(CLASSES.get(value, ()))


def _splits_an_expansion(tokens: list[Token], first: int, last: int) -> bool:
    """A match that takes part of an expanded abbreviation and words outside it ("self harming ... CAMHS" is not
    "harm ... children"). Expanded words share the abbreviation's span."""
    if tokens[first].start == tokens[last].start:
        return False  # wholly inside one word or abbreviation
    # Contractions share a span too ("wasn't" -> was, not) and may be split: "not collected".
    starts_inside = (
        first > 0 and tokens[first - 1].start == tokens[first].start and tokens[first].word not in CONTRACTED
    )
    ends_inside = (
        last + 1 < len(tokens)
        and tokens[last + 1].start == tokens[last].start
        and tokens[last + 1].word not in CONTRACTED
    )
    return starts_inside or ends_inside


def part_matches(part: tuple[str, bool], token: Token) -> bool:
    value, is_prefix = part
    if is_prefix:
        return token.word.startswith(value) or token.stem.startswith(value)
    return token.stem == value or token.stem in CLASSES.get(value, ())


def match_exact(parts: tuple[tuple[str, bool], ...], tokens: list[Token], start: int) -> int | None:
    end = start + len(parts) - 1
    if end >= len(tokens) or tokens[end].sentence != tokens[start].sentence:
        return None
    if all(part_matches(part, tokens[start + k]) for k, part in enumerate(parts)):
        return end
    return None


def match_rest(parts: tuple[tuple[str, bool], ...], tokens: list[Token], content: list[int], ci: int) -> int | None:
    position = ci
    sentence = tokens[content[ci]].sentence
    for part in parts[1:]:
        for step in range(1, MAX_GAP + 2):
            nxt = position + step
            if nxt >= len(content) or tokens[content[nxt]].sentence != sentence:
                return None
            if part_matches(part, tokens[content[nxt]]):
                position = nxt
                break
        else:
            return None
    return content[position]


def _drop_contained(matches: list[Match]) -> list[Match]:
    """A more specific phrase wins over a shorter one inside it ("history of domestic abuse" over "domestic abuse").

    Specific means more words to match, not a wider span: a span can be wide only because of gaps.
    """
    # Only a match starting at most the widest span before this one can hold it.
    starting: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        starting[match.first].append(match)
    widest = max((m.last - m.first for m in matches), default=0)
    kept = []
    for match in matches:
        inside = any(
            other is not match
            and other.phrase.indicator_id != match.phrase.indicator_id
            and match.last <= other.last
            and len(other.phrase.parts) > len(match.phrase.parts)
            for first in range(match.first - widest, match.first + 1)
            for other in starting.get(first, ())
        )
        if not inside:
            kept.append(match)
    return kept


def concept_words(
    concept: Concept, tokens: Tokens, clauses: list[int], listed: set[int], aside: frozenset[int] = frozenset()
) -> tuple[list[int], int] | None:
    """The words (token indices), one per group, that meet in one sentence (none negated), and that sentence;
    else None."""
    # Which tokens each group's words match, once; most concepts stop here because some group has none.
    matching: list[set[int]] = []
    for exact, prefixes in concept.tables:
        hits = _hits(tokens, exact, prefixes) - aside
        if not hits:
            return None
        matching.append(hits)
    for sentence, indices in tokens.by_sentence().items():
        chosen: list[int] = []
        for hits in matching:
            hit = next(
                (
                    i
                    for i in indices
                    if i in hits
                    and i not in chosen  # one word cannot stand for two groups ("wrapped" in both)
                    and clauses[i] not in listed
                    and not negation_reaches(tokens, clauses, i)
                ),
                None,
            )
            if hit is None:
                break
            chosen.append(hit)
        else:
            if concept.unless and sentence_has_any(tokens, sentence, concept.unless):
                continue
            return chosen, sentence
    return None


def _hits(tokens: Tokens, exact: frozenset[str], prefixes: tuple[str, ...]) -> set[int]:
    hits = {i for value in exact for i in tokens.with_stem(value)}
    if prefixes:
        hits.update(tokens.with_prefix(prefixes))
    return hits


def everyday_word_tokens(tokens: Tokens, senses: tuple[WordSense, ...]) -> set[int]:
    """Harm words in their everyday sense: beside one of the sense's `with` words and none of its `not_with`."""
    found: set[int] = set()
    for sense in senses:
        words = _hits(tokens, *sense.word)
        if not words:
            continue
        with_, not_with = _hits(tokens, *sense.with_), _hits(tokens, *sense.not_with)
        for i in words:
            sentence = tokens.sentence_range(tokens[i].sentence)
            if any(j in with_ for j in sentence) and not any(j in not_with for j in sentence):
                found.add(i)
    return found


def topic_tokens(tokens: Tokens, clauses: list[int], frames: list[Match]) -> set[int]:
    """The words after a topic frame ("learned about", "a novel about") to the end of its clause, up to a word that
    reports or tells ("told", "said", "wrote") or "that"; none when the child is telling ("wrote ... about")."""
    found: set[int] = set()
    for frame in frames:
        clause_start = frame.first
        while clause_start > 0 and clauses[clause_start - 1] == clauses[frame.first]:
            clause_start -= 1
        if any(tokens[i].stem in TELLING for i in range(clause_start, frame.first)):
            continue  # "she wrote a story about ...", "he drew a picture about ...": the child telling
        for i in range(frame.last + 1, len(tokens)):
            if clauses[i] != clauses[frame.last] or tokens[i].stem in REPORTING | TELLING or tokens[i].word == "that":
                break
            found.add(i)
    return found


def sentence_has_any(
    tokens: Tokens, sentence: int, phrases: tuple[tuple[tuple[tuple[str, bool], ...], bool], ...]
) -> bool:
    """Whether one of `phrases` ((parts, exact) as from `phrase_parts`) appears in the sentence."""
    sentence_tokens = [t for t in tokens.in_sentence(sentence) if t.word != ","]
    return any(
        any(match_exact(parts, sentence_tokens, k) is not None for k in range(len(sentence_tokens)))
        if exact
        else contains(sentence_tokens, parts)
        for parts, exact in phrases
    )


def text_contains(tokens: Tokens, parts: tuple[tuple[str, bool], ...]) -> bool:
    """`contains` over a whole description, remembered for it (a context phrase is asked about once per match)."""
    if parts not in tokens.contains_memo:
        tokens.contains_memo[parts] = any(
            part_matches(parts[0], tokens[ti]) and match_rest(parts, tokens, tokens.content, ci) is not None
            for ci, ti in enumerate(tokens.content)
        )
    return tokens.contains_memo[parts]


def contains(tokens: list[Token], parts: tuple[tuple[str, bool], ...]) -> bool:
    content = [i for i, t in enumerate(tokens) if t.word != "," and t.word not in STOPWORDS]
    return any(
        part_matches(parts[0], tokens[ti]) and match_rest(parts, tokens, content, ci) is not None
        for ci, ti in enumerate(content)
    )
