"""The one answer reader: what a person typed (or a button or Rasa entity sent) as the engine's answer value.

The chat, Rasa's REST channel and the Rasa actions all read answers here, so a phrasing understood by one
is understood by all. `read_answer(question, raw)` gives the value, or None when it cannot tell: the caller
then shows the question's choices again (never another feature's answer).

Safety rules, in order: an answer that starts "not sure" / "don't know" is unknown (never no); one that
starts "yes" is yes whatever detail follows; a "no" that is hedged ("no, but ...") is not read as no. At the
age question numbers are ages ("4" is four years old), never option positions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from app.core import models as m
from app.core.age import AGE_QUESTION, age_option, typed_age_months
from app.core.language.text import normalise
from app.core.rules import AnswerValue

QuestionModel = m.YesNoQuestion | m.ChoiceQuestion

YES = frozenset(
    {
        "yes", "y", "yep", "yeah", "yea", "yup", "ya", "aye", "correct", "true", "yes please", "definitely", "it is",
        "absolutely", "of course", "sure", "certainly", "definately", "deffo", "def", "yh", "ye", "yeh", "yah",
        "ys", "yse",
    }
)  # fmt: skip
NO = frozenset(
    {
        "no", "n", "nope", "nah", "not really", "negative", "false", "no it isnt", "no they are not",
        "definitely not", "none", "no concerns", "no concern", "nothing", "no worries", "not at all", "never", "na",
        "not that i know", "not that i know of", "not as far as i know", "not to my knowledge",
    }
)  # fmt: skip
UNKNOWN = frozenset(
    {
        "dont know", "do not know", "i dont know", "i do not know", "not sure", "im not sure", "unsure", "dunno",
        "no idea", "idk", "unknown", "maybe", "possibly", "not known", "cant say", "dont know yet", "unclear",
        "dont_know", "dk", "dont no", "do not no", "not certain",
    }
)  # fmt: skip
NONE_OF_THESE = frozenset({"none", "none of these", "none of them", "nothing", "neither", "none apply", "no none"})

# An answer that starts with these is that answer, whatever detail follows ("yes he's going home tonight").
_UNKNOWN_START = re.compile(
    r"^(?:i\s+)?(?:(?:do\s*n[o']?t|dont|do not|don t)\s+know|not\s+(?:sure|certain|known)|im\s+not\s+sure|unsure|"
    r"no\s+idea|dunno|idk|cant\s+(?:say|tell)|unclear|maybe|possibly|perhaps|might\s+be|could\s+be)\b"
)
_YES_START = re.compile(r"^(?:yes|yeah|yep|yup|yea|aye)\b")
# A stretched or slipped yes or no ("yesss", "nooo"); a believed yes is yes: in doubt, the graver reading, and
# the echo ("Recorded: Yes") shows what was taken.
_YES_LIKE = re.compile(
    r"^(?:y+e+s+|y+e+a+h*|y+u+p+)$|^(?:very\s+)?(?:probably|likely)$"
    r"|^(?:i\s+)?(?:think|believe|guess)\s+(?:so|yes|(?:he|she|they|it)\s+(?:is|are|s|has|have|did))(?:\s+yes)?$"
)
_NO_LIKE = re.compile(r"^n+o+$|^n+a+h+$")
# "Not at the moment" / "not right now" answer a yes/no question about now: no (asked of a list, it is not).
_NOT_NOW = re.compile(
    r"^not\s+(?:at\s+the\s+moment|right\s+now|currently|now|today|at\s+present|as\s+far\s+as\s+i\s+know|"
    r"(?:in\s+)?(?:immediate\s+)?danger|immediately)\b"
)
# "yeah, no" means no in everyday speech: with a no straight after the yes, the answer is not clear.
_YES_THEN_NO = re.compile(r"^(?:yes|yeah|yep|yup|yea|aye)\W*(?:no|nope|nah|not)\b")
_NO_START = re.compile(r"^(?:no|nope|nah|none|not\s+really|not\s+at\s+all|no\s+concerns?)\b")
# A "no" with one of these is not a clear no: the question is asked again.
_HEDGE = re.compile(
    r"\b(?:but|though|although|however|unless|except|maybe|might|possibly|perhaps|not sure|unsure|dont know|"
    r"worried|worry|concerned|scared|afraid|"
    # "no major concerns" says there are lesser ones: not a clear no
    r"major|serious|significant|big|real|huge|massive|much|yet)\b"
)
# Some concern, however small, is a yes to "Are there concerns about ...?" (never to a danger question, where
# "sometimes" is not "right now" and is asked again).
_SOME = re.compile(
    r"^(?:(?:some|a few|minor|mild|slight|small|low level|a bit|a little|slightly|a couple of)"
    r"(?:\s+(?:concerns?|worries|worried|issues?|problems?))?|sometimes|occasionally|often|regularly|always)$"
)
_LIST_SPLIT = re.compile(r"\s*(?:,|;|&|\+|/|\band\b)\s*|\s+(?=\d)")


def plain(text: str) -> str:
    """The one normalisation (language.text.normalise), then words only: apostrophes dropped, underscores and
    punctuation as spaces, keeping `/` (8/12), a decimal point and list separators."""
    text = normalise(text).replace("'", "").replace("_", " ")
    text = re.sub(r"[^\w/\s,&+;.]", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # a full stop, not a decimal point
    return re.sub(r"\s+", " ", text).strip()


_EMOJI = {"\U0001f44d": "yes", "\U0001f44e": "no"}  # thumbs up, thumbs down


def read_answer(question: QuestionModel, raw: Any) -> AnswerValue | None:
    """`raw` (typed text, a button's option value or label, or a list of them) as the engine's value, or None."""
    if isinstance(raw, str) and raw.strip() in question.option_values:
        return raw.strip()  # an option value exactly as a button or Rasa sends it ("under_5")
    if isinstance(raw, str) and isinstance(question, m.YesNoQuestion):
        bare = re.sub("[\ufe0f\U0001f3fb-\U0001f3ff\\s]", "", raw)  # skin tones and variation selectors
        if bare in _EMOJI:
            return _EMOJI[bare]
    if isinstance(raw, list):
        if question.kind != "multiple_choice":
            return None
        values = [_option(question, plain(str(item))) for item in raw]
        return None if any(v is None for v in values) else list(dict.fromkeys(v for v in values if v))
    if not isinstance(raw, str):
        return None
    text = plain(raw)
    if not text:
        return None
    if text in UNKNOWN or _UNKNOWN_START.match(text):
        return m.UNKNOWN
    if isinstance(question, m.YesNoQuestion):
        value = _yes_no(text)
        if value is None and question.section != "immediate_danger" and _SOME.match(text):
            value = "yes"  # "some concerns" to "Are there concerns about ...?": the detail question says which
        return value
    if question.id == AGE_QUESTION:
        return _age(question, text)
    if question.kind == "single_choice":
        return _single(question, text)
    return _multiple(question, text)


def _yes_no(text: str) -> str | None:
    if text in NO or text == "2" or _NO_LIKE.match(text):
        return "no"
    if _YES_THEN_NO.match(text):
        return None
    if text in YES or text == "1" or _YES_START.match(text) or _YES_LIKE.match(text):
        return "yes"
    if text == "3":
        return m.UNKNOWN
    return "no" if _clear_no(text) or (_NOT_NOW.match(text) and not _HEDGE.search(text)) else None


def _age(question: QuestionModel, text: str) -> str | None:
    """Numbers are ages here, never option positions; a label or option value works too."""
    value = age_option(text)
    if value is not None and value in question.option_values:
        return value
    if typed_age_months(text) is not None:
        return None  # an age, but not one of the choices ("19"), or spanning two ("under 5", "11 or 12")
    found = _option(question, text, by_position=False)
    return found or None


# How often, typed to a question whose options are "Once ..." and "More than once".
_ONCE = re.compile(r"^(?:just\s+|only\s+)?(?:once|one\s+time|1\s+time|1\s*x|x\s*1)$")
_MORE_THAN_ONCE = re.compile(
    r"^(?:twice|(?:a\s+few|a\s+couple\s+of|several|many|lots\s+of|loads\s+of|multiple|numerous|\d+|two|three|"
    r"four|five|six|a\s+number\s+of)\s+times|\d+\s*x|x\s*\d+|often|regularly|frequently|repeatedly|a\s+lot|"
    r"lots|loads|more\s+than\s+once|again\s+and\s+again|all\s+the\s+time)$"
)


def _how_often(question: QuestionModel, text: str) -> str | None:
    start = "once" if _ONCE.match(text) else "more than once" if _MORE_THAN_ONCE.match(text) else None
    if start is None or isinstance(question, m.YesNoQuestion):
        return None
    found = [o.value for o in question.options if plain(o.label).startswith(start)]
    return found[0] if len(found) == 1 else None


def _single(question: QuestionModel, text: str) -> str | None:
    if text == str(len(question.option_values) + 1):
        return m.UNKNOWN  # "Don't know" is the last button
    yes = _YES_START.match(text)
    if yes and not _YES_THEN_NO.match(text) and text[yes.end() :].strip(" ,"):
        text = text[yes.end() :].strip(" ,")  # "yes, twice": the detail says which
    found = _option(question, text) or _how_often(question, text)
    if found is None and _clear_no(text) and not isinstance(question, m.YesNoQuestion):
        # "no" to "Has the child gone missing?" is its one negative option ("Not that I know of")
        negative = [o.value for o in question.options if _NEGATIVE.match(plain(o.label)) or plain(o.value) == "never"]
        found = negative[0] if len(negative) == 1 else None
    return found or None


_NEGATIVE = re.compile(r"^(?:no|not|never|none)\b")


def _clear_no(text: str) -> bool:
    return text in NO or bool(_NO_START.match(text) and not _HEDGE.search(text))


def _multiple(question: QuestionModel, text: str) -> list[str] | None:
    if text in NONE_OF_THESE or _clear_no(text):
        return []
    pieces = [p for p in _LIST_SPLIT.split(text) if p]
    values = [_option(question, p) for p in pieces]
    if not values or any(v is None for v in values):
        whole = _option(question, text)  # a label that itself contains "and" or a comma
        return [whole] if whole else None
    return list(dict.fromkeys(v for v in values if v))


def _option(question: QuestionModel, text: str, *, by_position: bool = True) -> str | None:
    """One typed piece as an option value: its number, its label (allowing a small typo or the label's start)
    or its value."""
    options: Sequence[tuple[str, str]] = (
        [] if isinstance(question, m.YesNoQuestion) else [(o.value, o.label) for o in question.options]
    )
    text = text.strip()
    if by_position and text.isdigit():
        index = int(text) - 1
        return options[index][0] if 0 <= index < len(options) else None
    labels = {plain(label): value for value, label in options}
    labels.update({plain(value): value for value, _ in options})
    if text in labels:
        return labels[text]
    starting = {value for label, value in labels.items() if len(text) >= 3 and label.startswith(text + " ")}
    if len(starting) == 1:
        return starting.pop()
    close = difflib.get_close_matches(text, list(labels), n=1, cutoff=0.85)
    # A typo is forgiven, a different number is not ("under 1" is not "under 5").
    close = [label for label in close if _DIGITS.findall(label) == _DIGITS.findall(text)]
    return labels[close[0]] if close else None


_DIGITS = re.compile(r"\d+")
