"""Partnership knowledge and the glossary: content models and free-text question answering.

`build_index` turns the partnership entries, the glossary and the escalation content into one
searchable index (once, at start-up); `ask` answers a question from it with BM25 ranking,
synonym expansion, light stemming and typo tolerance, and says "I don't know" rather than guess.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from pydantic import Field, model_validator

from app.core.base import Strict
from app.core.escalation import Escalation
from app.core.language.data import load_words
from app.core.language.text import normalise, stem

# BM25 parameters (the usual defaults) and the confidence bar below which we do not answer.
_K1 = 1.2
_B = 0.75
MIN_SCORE = 3.0
# Share of the question's weight (idf) that the best entry must explain. Off-topic questions
# ("book me a train to London") match a stray common word or two and fall well below this.
MIN_COVERAGE = 0.4
# A score this high is a confident match even when the question has many words we do not know
# ("the other agency won't listen to me, how do I escalate").
STRONG_SCORE = 5.5
# Glossary entries are short, so BM25's length normalisation over-rewards them; "what does X mean"
# questions reach them directly anyway.
_GLOSSARY_WEIGHT = 0.75
# Words from an acronym's expansion count for less than the words the question itself used.
_EXPANSION_WEIGHT = 0.5
_TITLE_WEIGHT = 2  # title words count twice: a title is the best summary of an entry
_FUZZY_CUTOFF = 0.84  # one wrong letter in a five-letter word (0.8) is too loose: "paris" is not "parts"
_RELATED_LIMIT = 4


class Entry(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    answer: str
    keywords: list[str] = []
    section: str
    source: str
    verify: bool = False
    related: list[str] = []


class Fallback(Strict):
    answer: str
    section: str
    source: str
    verify: bool = False


class Partnership(Strict):
    """The contents of rules/partnership.yaml."""

    source_document: str
    entries: list[Entry] = Field(min_length=1)
    synonyms: list[list[str]] = []
    fallback: Fallback

    @model_validator(mode="after")
    def _unique_ids(self) -> Partnership:
        ids = [e.id for e in self.entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate entry ids: {', '.join(duplicates)}")
        return self


class Term(Strict):
    term: str
    aliases: list[str] = []
    expansion: str
    meaning: str
    source: str
    verify: bool = False
    see: list[str] = []


class Glossary(Strict):
    """The contents of rules/glossary.yaml."""

    terms: list[Term] = Field(min_length=1)


@dataclass(frozen=True)
class Source:
    title: str
    section: str


@dataclass(frozen=True)
class Related:
    id: str
    title: str


@dataclass(frozen=True)
class Answer:
    answer: str
    sources: list[Source]
    related: list[Related]
    entry_id: str | None  # None when we do not know
    score: float
    verify: bool = False


@dataclass(frozen=True)
class Document:
    """One answerable unit: a partnership entry, a glossary term, an escalation step or a timeline."""

    id: str
    title: str
    answer: str
    keywords: tuple[str, ...]
    section: str
    source: str
    verify: bool
    related: tuple[str, ...] = ()


@dataclass
class KnowledgeIndex:
    documents: list[Document]
    fallback: Fallback
    synonyms: dict[str, str]  # word or phrase -> the canonical word of its group
    phrase_pattern: re.Pattern[str] | None
    glossary: dict[str, Document]  # lower-case term or alias -> its glossary document
    term_frequencies: list[Counter[str]] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    document_frequency: Counter[str] = field(default_factory=Counter)
    raw_vocabulary: dict[str, str] = field(default_factory=dict)  # surface word -> index term
    keyword_terms: list[frozenset[str]] = field(default_factory=list)  # per document: terms of its keywords
    average_length: float = 1.0

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)


# Words that carry no meaning for matching (data/knowledge_stopwords.txt in app/core/language).
_STOPWORDS = load_words("knowledge_stopwords.txt")

_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "first": "1", "second": "2", "third": "3"}
_NUMBER_WORDS |= {"fourth": "4", "final": "4", "last": "4"}
_STEP_PATTERN = re.compile(r"\b(?:step|stage)\s*(\d|one|two|three|four|first|second|third|fourth)\b")
_STEP_ORDINAL_PATTERN = re.compile(r"\b(first|second|third|fourth|final|last)\s+(?:step|stage)\b")
_SECTION_PATTERN = re.compile(r"\b(?:s|section)\s*\.?\s*(\d{2,3})\b")
_TOKEN_PATTERN = re.compile(r"[a-z0-9]+")
_MEANING_CUES = re.compile(
    r"\b(stand|stands|short for|abbreviation|acronym|mean|means|meaning|define|definition|full form|"
    r"difference|differences|differ|vs|versus|compared?)\b"
)
_WHAT_IS = re.compile(r"^\s*(what|who)\s*(is|are|'s|s)?\b|^\s*whats\b|^\s*whos\b")


def _normalise(text: str) -> str:
    """Lower-case and rewrite the forms people write in many ways (s.47, step three, don't)."""
    text = normalise(text)  # the one normalisation (app/core/language/text.py), then this module's rewrites
    text = re.sub(r"(\w)'(\w)", r"\1\2", text)  # don't -> dont, who's -> whos
    text = re.sub(r"\b(can you )?tell me( about| more about)?\b", " ", text)  # not "who do I tell"
    text = _STEP_ORDINAL_PATTERN.sub(lambda m: f"step{_NUMBER_WORDS[m.group(1)]}", text)
    text = _STEP_PATTERN.sub(lambda m: f"step{_NUMBER_WORDS.get(m.group(1), m.group(1))}", text)
    text = _SECTION_PATTERN.sub(r"s\1", text)
    return text


# The one stemmer (app/core/language/text.py), remembered: building the index stems ~5,500 words, most repeats.
_stem = functools.lru_cache(maxsize=16384)(stem)


# The canonical words of the synonym groups that mark an escalation question: disagreeing, or a
# referral closed with no further action (which people ask about only to challenge it).
_DISAGREE = _stem("disagree")
_ESCALATION_CUES = frozenset({_DISAGREE, "nfa"})
# "We've done step 1 and still don't agree": the question is about the step after the one it names.
_PROGRESSION = re.compile(
    r"\b(still|already|tried|what next|what now|next step|then what|not sorted|not resolved|unresolved|"
    r"didnt work|did not work|no luck|failed|happens next|happens now|after step\d)\b"
)


def _synonym_table(groups: list[list[str]]) -> tuple[dict[str, str], re.Pattern[str] | None]:
    table: dict[str, str] = {}
    for group in groups:
        canonical = _stem(_normalise(group[0]))
        for member in group:
            table[_normalise(member)] = canonical
    phrases = sorted((p for p in table if " " in p), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b") if phrases else None
    return table, pattern


def _terms(text: str, index: KnowledgeIndex, *, fuzzy: bool = False) -> list[str]:
    """Text -> index terms: normalise, fold synonym phrases, tokenise, drop stopwords, stem, fold synonyms."""
    text = _normalise(text)
    if index.phrase_pattern is not None:
        # Phrases become a placeholder token so the words inside them are not counted twice.
        text = index.phrase_pattern.sub(lambda m: f" syn{index.synonyms[m.group(1)]} ", text)
    terms: list[str] = []
    for token in _TOKEN_PATTERN.findall(text):
        if token.startswith("syn") and token[3:] in index.synonyms.values():
            terms.append(token[3:])
            continue
        if token in index.synonyms:
            terms.append(index.synonyms[token])
            continue
        if token in _STOPWORDS:
            continue
        stem = _stem(token)
        if stem in index.synonyms:
            terms.append(index.synonyms[stem])
        elif fuzzy and stem not in index.document_frequency:
            terms.extend(_closest_terms(token, index))
        else:
            terms.append(stem)
    return terms


def _closest_terms(token: str, index: KnowledgeIndex) -> list[str]:
    """Typo tolerance: the nearest word in the vocabulary, when one is close enough."""
    if len(token) < 5:
        return [token]
    # Two letters swapped ("reveiw") is the commonest slip, and difflib's ratio scores it poorly.
    for i in range(len(token) - 1):
        swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        if swapped in index.raw_vocabulary:
            return [index.raw_vocabulary[swapped]]
    match = difflib.get_close_matches(token, index.raw_vocabulary.keys(), n=1, cutoff=_FUZZY_CUTOFF)
    return [index.raw_vocabulary[match[0]]] if match else [token]


def _documents(partnership: Partnership, glossary: Glossary, escalation: Escalation) -> list[Document]:
    docs = [
        Document(e.id, e.title, e.answer, tuple(e.keywords), e.section, e.source, e.verify, tuple(e.related))
        for e in partnership.entries
    ]
    docs.extend(_escalation_documents(escalation))
    docs.extend(_glossary_document(t) for t in glossary.terms)
    return docs


def _escalation_documents(escalation: Escalation) -> list[Document]:
    unit = "working days" if escalation.day_basis == "working" else "calendar days"
    step_lines = " ".join(
        f"Step {s.step} ({_day_range(s.window.from_day, s.window.to_day)}): {s.title.lower()}."
        for s in escalation.steps
    )
    step_ids = tuple(f"escalation_step_{s.step}" for s in escalation.steps)
    overview = Document(
        id="escalation",
        title=escalation.title,
        answer=(
            f"{escalation.culture} If you cannot agree, use the four-step escalation process, counting the day the "
            f"disagreement starts as day 1 ({unit}): {step_lines} At every step, keep a record of what the "
            f"disagreement is about, who you spoke to and when, and what was agreed. "
            f"{escalation.child_safety_first.text}"
        ),
        keywords=tuple(escalation.keywords),
        section=escalation.section,
        source=escalation.source,
        verify=escalation.day_basis_verify,
        related=(*step_ids, "escalation_child_safety"),
    )
    docs = [overview]
    for s in escalation.steps:
        parts = [
            f"Step {s.step}: {s.title}. It starts on day {s.window.from_day} and is due by the end of day"
            f" {s.window.to_day} ({unit}; the day the disagreement starts is day 1).",
            f"Who: {s.who} {' '.join(s.actions)}",
        ]
        if s.school_variant:
            parts.append(s.school_variant)
        if s.form:
            parts.append(s.form.text)
        if s.record:
            parts.append("Record: " + " ".join(s.record))
        parts.append("Never let the disagreement delay action to protect the child.")
        neighbours = tuple(i for i in step_ids if i != f"escalation_step_{s.step}")
        docs.append(
            Document(
                id=f"escalation_step_{s.step}",
                title=f"Escalation step {s.step}: {s.title}",
                answer=" ".join(parts),
                keywords=tuple(s.keywords),
                section=escalation.section,
                source=s.source,
                verify=s.verify or (s.form.verify if s.form else False),
                related=("escalation", *neighbours),
            )
        )
    docs.append(
        Document(
            id="escalation_child_safety",
            title="A disagreement never delays protecting a child",
            answer=escalation.child_safety_first.text,
            keywords=tuple(escalation.child_safety_first.keywords),
            section=escalation.section,
            source=escalation.child_safety_first.source,
            verify=escalation.child_safety_first.verify,
            related=("escalation", "worried_about_a_child"),
        )
    )
    docs.append(
        Document(
            id="escalation_complaints",
            title="Complaints from children, parents and carers",
            answer=escalation.complaints.text,
            keywords=tuple(escalation.complaints.keywords),
            section=f"{escalation.section} (Complaints)",
            source=escalation.complaints.source,
            verify=escalation.complaints.verify,
            related=("escalation",),
        )
    )
    for t in escalation.timelines:
        unit_t = "working days" if t.basis == "working" else "calendar days"
        docs.append(
            Document(
                id=f"timeline_{t.id}",
                title=f"Timescale: {t.title}",
                answer=f"{t.text} Due: {t.days} {unit_t} after {t.counted_from}.",
                keywords=tuple(t.keywords),
                section=t.section,
                source=t.source,
                verify=t.verify,
                related=tuple(f"timeline_{o.id}" for o in escalation.timelines if o.id != t.id),
            )
        )
    return docs


def _day_range(first: int, last: int) -> str:
    return f"day {first}" if first == last else f"days {first} to {last}"


_REPORT_SECTION = re.compile(r"Sections? (\d+)")
# Section headings of the arrangements report, so glossary answers can cite the section too.
_REPORT_SECTIONS = {
    "1": "Section 1: Message from the partnership",
    "2": "Section 2: Developing our arrangements",
    "3": "Section 3: The partnership model explained",
    "4": "Section 4: Links to other partnerships and stakeholders",
    "5": "Section 5: Priorities",
    "6": "Section 6: Learning and improving",
    "7": "Section 7: Dispute resolution and escalation",
    "8": "Section 8: Independent scrutiny arrangements",
    "9": "Section 9: Funding and support team",
}


def _glossary_document(term: Term) -> Document:
    found = _REPORT_SECTION.search(term.source) if "arrangements report" in term.source else None
    section = _REPORT_SECTIONS.get(found.group(1), "Glossary") if found else "Glossary"
    return Document(
        id=f"glossary_{_slug(term.term)}",
        title=f"{term.term}: {term.expansion}",
        answer=f"{term.term} stands for {term.expansion}. {term.meaning}",
        keywords=(term.term, *term.aliases),
        section=section,
        source=term.source,
        verify=term.verify,
        related=tuple(term.see),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def build_index(partnership: Partnership, glossary: Glossary, escalation: Escalation) -> KnowledgeIndex:
    """Build the search index once; `ask` then only scores the question's terms.

    Raises ValueError when a `related`/`see` id points nowhere (a content error).
    """
    synonyms, phrase_pattern = _synonym_table(partnership.synonyms)
    documents = _documents(partnership, glossary, escalation)
    ids = {d.id for d in documents}
    # Only links written in the content are checked; generated escalation links may name an entry
    # that a smaller content set (tests) leaves out, and `ask` skips those.
    authored = [d for d in documents if not d.id.startswith(("escalation", "timeline_"))]
    dangling = sorted({f"{d.id} -> {r}" for d in authored for r in d.related if r not in ids})
    if dangling:
        raise ValueError(f"related ids that do not exist: {', '.join(dangling)}")
    glossary_lookup: dict[str, Document] = {}
    for term, doc in zip(glossary.terms, documents[-len(glossary.terms) :], strict=True):
        for name in (term.term, *term.aliases):
            glossary_lookup[_normalise(name)] = doc
    index = KnowledgeIndex(documents, partnership.fallback, synonyms, phrase_pattern, glossary_lookup)
    for doc in documents:
        text = " ".join([doc.title] * _TITLE_WEIGHT + [doc.answer, *doc.keywords])
        terms = _terms(text, index)
        index.term_frequencies.append(Counter(terms))
        index.lengths.append(len(terms))
        index.document_frequency.update(set(terms))
        index.keyword_terms.append(frozenset(t for keyword in doc.keywords for t in _terms(keyword, index)))
        for word in _TOKEN_PATTERN.findall(_normalise(text)):
            if word not in _STOPWORDS and not word.isdigit():
                index.raw_vocabulary.setdefault(word, index.synonyms.get(word) or _stem(word))
    for word, canonical in synonyms.items():
        if " " not in word:
            index.raw_vocabulary.setdefault(word, canonical)
    index.average_length = sum(index.lengths) / len(index.lengths)
    return index


def _idf(index: KnowledgeIndex, term: str) -> float:
    n = len(index.documents)
    df = index.document_frequency.get(term, 0)
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _bm25(
    index: KnowledgeIndex, query: set[str], expansion: frozenset[str] | set[str] = frozenset()
) -> list[tuple[float, int]]:
    scores: list[tuple[float, int]] = []
    for i, frequencies in enumerate(index.term_frequencies):
        score = 0.0
        norm = _K1 * (1 - _B + _B * index.lengths[i] / index.average_length)
        glossary = index.documents[i].id.startswith("glossary_")
        for term in query if glossary else query | expansion:
            tf = frequencies.get(term, 0)
            if tf:
                weight = _EXPANSION_WEIGHT if term in expansion else 1.0
                score += weight * _idf(index, term) * tf * (_K1 + 1) / (tf + norm)
        if index.documents[i].id.startswith("glossary_"):
            score *= _GLOSSARY_WEIGHT
        scores.append((score, i))
    scores.sort(key=lambda pair: (-pair[0], pair[1]))
    return scores


def _route(
    index: KnowledgeIndex, question: str, query: set[str], ranked: list[tuple[float, int]]
) -> list[tuple[float, int]]:
    """A question about disagreeing is an escalation question: put the escalation entries first.

    Why: "disagree" and its synonyms appear in every escalation entry, so BM25 gives them little
    weight, and a word like "referral" can otherwise pull the answer to an unrelated entry. Among
    the escalation entries the overview answers unless the question names something only one part
    has (a step, "worker to worker", "form", "complain"): "how do I escalate?" wants the whole process.
    """
    if not query & _ESCALATION_CUES:
        best = _next_step(index, question, ranked[0], ranked)
        return [best] + [pair for pair in ranked if pair != best]
    escalation = [pair for pair in ranked if index.documents[pair[1]].id.startswith("escalation")]
    overview = next((pair for pair in escalation if index.documents[pair[1]].id == "escalation"), None)
    if overview is None:
        return escalation + [pair for pair in ranked if pair not in escalation]
    shared = index.keyword_terms[overview[1]]
    specific = [pair for pair in escalation if pair != overview and _specific_terms(index, query, pair[1], shared)]
    best = specific[0] if specific else overview
    best = _next_step(index, question, best, escalation)
    first = [best] + [pair for pair in escalation if pair != best]
    return first + [pair for pair in ranked if pair not in first]


def _specific_terms(index: KnowledgeIndex, query: set[str], doc: int, shared: frozenset[str]) -> set[str]:
    """Query terms from this entry's own keywords that the overview lacks and few entries share."""
    generic = len(index.documents) / 8  # "child", "partner": in too many entries to point anywhere
    own = index.keyword_terms[doc] - shared
    return {t for t in query & own if index.document_frequency[t] <= generic}


def _next_step(
    index: KnowledgeIndex, question: str, chosen: tuple[float, int], escalation: list[tuple[float, int]]
) -> tuple[float, int]:
    """ "Tried step N and still stuck" is answered with step N+1."""
    match = re.fullmatch(r"escalation_step_(\d+)", index.documents[chosen[1]].id)
    if match is None or not _PROGRESSION.search(_normalise(question)):
        return chosen
    wanted = f"escalation_step_{int(match.group(1)) + 1}"
    return next((pair for pair in escalation if index.documents[pair[1]].id == wanted), chosen)


def _coverage(index: KnowledgeIndex, query: set[str], doc: int) -> float:
    """How much of the question (weighted by idf; unknown words weigh most) the entry matches."""
    total = sum(_idf(index, t) for t in query)
    matched = sum(_idf(index, t) for t in query if t in index.term_frequencies[doc])
    return matched / total if total else 0.0


def _glossary_names(text: str, index: KnowledgeIndex) -> list[tuple[int, int, str]]:
    """(position, -length, name) of each glossary term or alias in normalised text."""
    found: list[tuple[int, int, str]] = []
    for name in index.glossary:
        match = re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text)
        if match:
            found.append((match.start(), -len(name), name))
    return found


def _glossary_hits(index: KnowledgeIndex, question: str) -> list[Document]:
    """Terms a question asks the meaning of ("what does LADO stand for?", "CIN vs CP"), first named first."""
    text = _normalise(question)
    found = _glossary_names(text, index)
    if not found:
        return []
    rest_text = text
    for _, _, name in sorted(found, key=lambda f: f[1]):  # longest first: "child protection plan" before "cp"
        rest_text = rest_text.replace(name, " ")
    rest = [t for t in _TOKEN_PATTERN.findall(rest_text) if t not in _STOPWORDS]
    asks_meaning = bool(_MEANING_CUES.search(text))
    bare_term = len(rest) == 0 or (bool(_WHAT_IS.search(text)) and len(rest) <= 1)
    if not (asks_meaning or bare_term):
        return []
    hits: list[Document] = []
    for _, _, name in sorted(found):
        if index.glossary[name] not in hits:
            hits.append(index.glossary[name])
    return hits


def ask(index: KnowledgeIndex, question: str) -> Answer:
    """Answer a free-text question from the index, citing the source section, or say who to ask."""
    hits = _glossary_hits(index, question)
    if hits:
        # Other terms the question names ("CIN vs CP") are offered first among the related entries.
        return _answer(index, hits[0], score=float("inf"), ranked=[], also=[d.id for d in hits[1:]])
    query = set(_terms(question, index, fuzzy=True))
    # Acronyms also search by their expansion: "does the WSAB work with us" finds the entry about
    # the Safeguarding Adults Board, which spells the name out. Only other entries get the extra
    # words: the glossary entry already matches the acronym itself.
    expansion: set[str] = set()
    for _, _, name in _glossary_names(_normalise(question), index):
        expansion |= set(_terms(index.glossary[name].title.partition(":")[2], index))
    generic = len(index.documents) / 8  # "agency", "safeguarding": in too many entries to point anywhere
    expansion = {t for t in expansion if index.document_frequency[t] <= generic}
    by_score = _bm25(index, query, expansion - query)
    # Whether we know the answer is judged on the best-scoring entry (is the question on our topics
    # at all?); routing then picks which entry answers it, e.g. the step after the one named.
    best_score, top = by_score[0]
    confident = best_score >= STRONG_SCORE or _coverage(index, query, top) >= MIN_COVERAGE
    ranked = _route(index, question, query, by_score)
    best = ranked[0][1]
    if best_score < MIN_SCORE or not confident:
        fallback = index.fallback
        return Answer(
            answer=fallback.answer,
            sources=[Source(title=fallback.source, section=fallback.section)],
            related=[],
            entry_id=None,
            score=round(best_score, 3),
            verify=fallback.verify,
        )
    return _answer(index, index.documents[best], score=ranked[0][0], ranked=ranked[1:])


def _answer(
    index: KnowledgeIndex, doc: Document, score: float, ranked: list[tuple[float, int]], also: list[str] | None = None
) -> Answer:
    related_ids = [*(also or []), *doc.related]
    # Other strong matches are offered too: the question may have meant one of them.
    related_ids += [index.documents[i].id for s, i in ranked[:3] if s >= MIN_SCORE]
    seen: set[str] = {doc.id}
    related: list[Related] = []
    for rid in related_ids:
        other = index.document(rid)
        if other is not None and rid not in seen:
            seen.add(rid)
            related.append(Related(other.id, other.title))
    return Answer(
        answer=doc.answer,
        sources=[Source(title=doc.source, section=doc.section)],
        related=related[:_RELATED_LIMIT],
        entry_id=doc.id,
        score=round(score, 3) if math.isfinite(score) else 100.0,
        verify=doc.verify,
    )
