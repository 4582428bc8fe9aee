"""Free-text triage: read a practitioner's description, say which indicators it recognised and why, and
suggest a level through the same decision rules as the guided assessment (`engine.decide`).

How it reads, in order:
1. Redact identifying details (nothing else ever sees the raw text).
2. Tokenise with light stems, abbreviations and spelling variants (`app/core/language/text.py`).
3. Match indicator `phrases` from the YAML, allowing a couple of small words between phrase words (recognise.py).
4. Weigh each match in its clause: negation ("no concerns about", "denies": negation.py), history ("last year"),
   frequency ("three times", "getting worse") and the present moment ("tonight": timing.py), who it is about
   (people.py), ages ("8 week old") and attendance figures ("87%").
5. Indicators seen now are *present*; ones described only in the past are *possible*, which lifts the
   level by at most the content's `doubt.max_lift`, and the result says what would settle it.
6. An immediate-danger (red flag) indicator described as past or made safe ("last month", "on the ward",
   "police protection", "he has been arrested") is *possible*: level 4 through the engine, but not immediate
   danger (timing.made_safe).

Modules, each importing only those before it: lexicon (word tables, lexicon.yaml), index (the content compiled),
negation, people, recognise, timing, reading (the steps of one reading), result (the level and the answer shape).
"""

from app.core.triage.index import TriageIndex, build_index, triage_index
from app.core.triage.result import (
    MAX_TEXT_LENGTH,
    AgeStage,
    QuestionRef,
    RecognisedIndicator,
    RouteRef,
    Span,
    TriageResult,
    answers_for_indicators,
    prefill_answers,
    triage,
)

__all__ = [
    "MAX_TEXT_LENGTH",
    "AgeStage",
    "QuestionRef",
    "RecognisedIndicator",
    "RouteRef",
    "Span",
    "TriageIndex",
    "TriageResult",
    "answers_for_indicators",
    "build_index",
    "prefill_answers",
    "triage",
    "triage_index",
]
