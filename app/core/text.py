"""Reading practitioners' English: normalising, tokens, light stems, abbreviations and the context words
(negation, history, frequency, ages, attendance) that the triage weighs.

Why one module: indicator phrases from the YAML and the practitioner's description must pass through the
*same* normalisation, or "bruised" in a description would never meet "bruise" in a phrase.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "STOPWORDS",
    "Token",
    "ages_in_months",
    "attendance_percent",
    "normalise",
    "stem",
    "tokenise",
]

# Abbreviations written in capitals only: in lower case they are ordinary words ("send", "da").
_ABBREVIATIONS_UPPER = {
    "SEND": "special educational needs and disabilities",
    "SEN": "special educational needs",
    "DA": "domestic abuse",
    "DV": "domestic violence",
    "CIN": "child in need",
    "CP": "child protection",
    "SW": "social worker",
    "YP": "young person",
    "HV": "health visitor",
    "LAC": "looked after child",
    "CLA": "looked after child",
    "SH": "self harm",
    "OD": "overdose",
    "MH": "mental health",
    "LD": "learning disability",
    "PA": "physical abuse",
    "SA": "sexual abuse",
    "EA": "emotional abuse",
    "CE": "child exploitation",
    "PF": "private fostering",
    "MISPER": "missing person",
}
# Abbreviations safe to expand whatever the case.
_ABBREVIATIONS = {
    "cse": "child sexual exploitation",
    "cce": "child criminal exploitation",
    "fgm": "female genital mutilation",
    "nai": "non accidental injury",
    "eha": "early help assessment",
    "taf": "team around the family",
    "tac": "team around the child",
    "camhs": "camhs child and adolescent mental health service",
    "dsl": "designated safeguarding lead",
    "lado": "lado local authority designated officer allegation",
    "marac": "marac high risk domestic abuse",
    "mappa": "mappa public protection",
    "gp": "gp",
    "s47": "section 47 child protection enquiry",
    "s17": "section 17 child in need",
    "ehcp": "education health and care plan",
    "yot": "youth offending team",
    "yos": "youth offending service",
    "yjs": "youth justice service",
    "pru": "pupil referral unit",
    "asb": "anti social behaviour",
    "hba": "honour based abuse",
    "hbv": "honour based violence",
    "uasc": "unaccompanied asylum seeking child",
    "dsh": "deliberate self harm",
    "a&e": "emergency department",
    "ae": "emergency department",
    "nfa": "no further action",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "yo": "year old",
    "yrs": "years",
    "yr": "year",
    "y/o": "year old",
    "mins": "minutes",
    "wks": "weeks",
    "mths": "months",
    "mo": "months",
    "asap": "as soon as possible",
    "yp": "young person",
    "yps": "young people",
    "cyp": "child or young person",
    "cp": "child protection",
    "od": "overdose",
    "od'd": "overdose",
    "nmo": "non molestation order",
    "ppn": "police protection notice",
    "mfh": "missing from home",
    "rhi": "return home interview",
    "idva": "idva independent advocate",
    "csa": "child sexual abuse",
    "fm": "forced marriage",
    "hsb": "harmful sexual behaviour",
    "b/f": "boyfriend",
    "g/f": "girlfriend",
    "w/": "with",
    "thru": "through",
    "tonite": "tonight",
    "2nite": "tonight",
    "2day": "today",
    "2moro": "tomorrow",
    "tmrw": "tomorrow",
    "atm": "at the moment",
    "rn": "right now",
}
# Common misspellings of the words the triage leans on (typed in a hurry, never corrected).
_MISSPELLINGS = {
    "sexaul": "sexual",
    "sexualy": "sexually",
    "sexualised": "sexualised",
    "dislosed": "disclosed",
    "disclossed": "disclosed",
    "discloed": "disclosed",
    "dicslosed": "disclosed",
    "alchohol": "alcohol",
    "alcahol": "alcohol",
    "alchol": "alcohol",
    "alcohal": "alcohol",
    "acohol": "alcohol",
    "sucidal": "suicidal",
    "suicidle": "suicidal",
    "sucicidal": "suicidal",
    "sucide": "suicide",
    "suacide": "suicide",
    "allways": "always",
    "alwyas": "always",
    "wen": "when",
    "alot": "a lot",
    "pyschosis": "psychosis",
    "psycosis": "psychosis",
    "phsycotic": "psychotic",
    "physcial": "physical",
    "phsyical": "physical",
    "neglet": "neglect",
    "negelct": "neglect",
    "brusing": "bruising",
    "bruseing": "bruising",
    "bruse": "bruise",
    "bruize": "bruise",
    "bruices": "bruises",
    "seperated": "separated",
    "seperation": "separation",
    "agressive": "aggressive",
    "aggresive": "aggressive",
    "agression": "aggression",
    "threatend": "threatened",
    "thretened": "threatened",
    "pregnent": "pregnant",
    "pregant": "pregnant",
    "exploitaion": "exploitation",
    "exploted": "exploited",
    "abussed": "abused",
    "abuesd": "abused",
    "overdosed": "overdosed",
    "harrased": "harassed",
    "violance": "violence",
    "voilence": "violence",
    "violant": "violent",
    "attemted": "attempted",
    "atempted": "attempted",
    "medicaiton": "medication",
    "grooomed": "groomed",
    "missng": "missing",
    "mising": "missing",
    "knive": "knife",
    "kinfe": "knife",
    "stabed": "stabbed",
    "strangeled": "strangled",
    "strangulated": "strangled",
}
# American spellings and everyday synonyms folded to one form.
_VARIANTS = {
    "behavior": "behaviour",
    "behaviors": "behaviours",
    "behavioral": "behavioural",
    "neighbor": "neighbour",
    "neighbors": "neighbours",
    "color": "colour",
    "center": "centre",
    "program": "programme",
    "pediatric": "paediatric",
    "pediatrician": "paediatrician",
    "fetus": "foetus",
    "anemia": "anaemia",
    "diarrhea": "diarrhoea",
    "counseling": "counselling",
    "counselor": "counsellor",
    "judgment": "judgement",
    "mom": "mum",
    "mommy": "mum",
    "mummy": "mum",
    "mam": "mum",
    "mother": "mum",
    "mothers": "mums",
    "daddy": "dad",
    "father": "dad",
    "fathers": "dads",
    "stepdad": "step dad",
    "stepfather": "step dad",
    "stepmum": "step mum",
    "stepmother": "step mum",
    "kid": "child",
    "kids": "children",
    "offspring": "children",
    "hasnt": "has not",
    "isnt": "is not",
    "doesnt": "does not",
    "didnt": "did not",
    "wont": "will not",
    "cant": "can not",
    "cannot": "can not",
    "wasnt": "was not",
    "arent": "are not",
    "dont": "do not",
    "havent": "have not",
    "couldnt": "could not",
    "wouldnt": "would not",
    "shouldnt": "should not",
}
# Jobs with children named by a two-word phrase whose second word alone is no job: read it as "staff".
_ROLE_NOUNS = {
    "lady": frozenset({"dinner", "lollipop", "lunch", "lunchtime"}),
    "ladies": frozenset({"dinner", "lollipop", "lunch", "lunchtime"}),
    "man": frozenset({"lollipop"}),
    "former": frozenset({"sixth"}),
    "formers": frozenset({"sixth"}),
}
# What a role noun after those words stands for: a "dinner lady" is staff, a "sixth former" a student (not the
# "former" of the past).
_ROLE_READS_AS = {"former": "student", "formers": "student"}
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "a couple of": 2,
    "several": 3,
    "a few": 3,
}
_IRREGULAR = {
    "ran": "run",
    # "missed" (an appointment, a day) must not read as "missing" (from home).
    "missed": "missed",
    "went": "go",
    "gone": "go",
    "goes": "go",
    "going": "go",
    "children": "child",
    "men": "man",
    "women": "woman",
    "fell": "fall",
    "fallen": "fall",
    "caught": "catch",
    "took": "take",
    "taken": "take",
    "threw": "throw",
    "thrown": "throw",
    "beaten": "beat",
    "bitten": "bite",
    "biting": "bite",  # not "bit", which is also "a bit"
    "told": "tell",
    "said": "say",
    "says": "say",
    "saw": "see",
    "seen": "see",
    "left": "leav",
    "felt": "feel",
    "hid": "hide",
    "hidden": "hide",
    "stole": "steal",
    "stolen": "steal",
    "kept": "keep",
    "slept": "sleep",
    "sold": "sell",
    "brought": "bring",
    "bought": "buy",
    "made": "make",
    "met": "meet",
    "got": "get",
    "gotten": "get",
    "drank": "drink",
    "drunk": "drink",
    "lives": "live",
    "lying": "lie",
    "dying": "die",
    "died": "die",
    "injuries": "injuri",
    "was": "was",
    "has": "has",
    "is": "is",
    "does": "do",
    "did": "do",
    "this": "this",
    "us": "us",
    "his": "his",
    "her": "her",
    "as": "as",
}
# Words dropped before phrase matching: they rarely carry the meaning and vary freely.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "his",
        "her",
        "their",
        "my",
        "our",
        "your",
        "its",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "into",
        "onto",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "having",
        "do",
        "does",
        "did",
        "very",
        "really",
        "just",
        "quite",
        "also",
        "he",
        "she",
        "they",
        "it",
        "him",
        "them",
        "we",
        "i",
        "you",
        "me",
        "who",
        "which",
        "whom",
        "what",
        "there",
        "here",
        "then",
        "than",
        "so",
        "such",
        "about",
        "as",
        "up",
        "out",
        "will",
        "would",
        "could",
        "should",
        "can",
        "may",
        "might",
        "must",
        "shall",
    ]
)
# A full stop or colon between two digits is part of a number or a clock time ("2.5", "01:10"), not a break.
_SENTENCE_BREAK = re.compile(
    r"(?:[!?;\n]|[.:](?!\d)|(?<!\d)[.:])+\s*|\s+-\s+|\s+but\s+|\s+however\s+|\s+although\s+|\s+though\s+|\s+whereas\s+"
)
_WORD = re.compile(r"[a-z0-9]+(?:[&/'][a-z0-9]+)*|,")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


_CLINICAL = re.compile(r"(\d{1,2})/(12|52|40)")
_CLINICAL_WORDS = {"12": "month old", "52": "week old", "40": "weeks pregnant"}


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


def _expand(raw: str, original: str) -> list[str]:
    """Expand one raw token (lower case) to its words, using the original's case for capital-only abbreviations."""
    if raw in _MISSPELLINGS:
        return _MISSPELLINGS[raw].split()
    # Clinical shorthand: "6/12" is six months old, "10/52" ten weeks old, "28/40" twenty-eight weeks pregnant.
    clinical = _CLINICAL.fullmatch(raw)
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
    for brk in [*_SENTENCE_BREAK.finditer(normalised), None]:
        end = brk.start() if brk else len(normalised)
        for match in _WORD.finditer(normalised, cursor, end):
            raw = match.group(0)
            original = text[match.start() : match.end()] if len(text) == len(normalised) else raw
            for word in _expand(raw, original):
                if word in _ROLE_NOUNS and tokens and tokens[-1].word in _ROLE_NOUNS[word]:
                    word = _ROLE_READS_AS.get(word, "staff")  # "dinner lady": a role at school, not any woman
                tokens.append(Token(word, stem(word), match.start(), match.end(), sentence))
        if brk:
            cursor = brk.end()
            sentence += 1
    return tokens


# --- Numbers, ages and stages --------------------------------------------------------------------

_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
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
_STAGE_MONTHS = {
    "newborn": 0,
    "new born": 0,
    "new-born": 0,
    "neonate": 0,
    "non-mobile": 3,
    "non mobile": 3,
    "not yet mobile": 3,
    "not mobile": 3,
    "not crawling": 4,
    "premature": 1,
    "infant": 6,
    "toddler": 24,
    "reception": 54,
    "nursery": 42,
    "teenager": 170,
    "teen": 170,
    "adolescent": 170,
    "sixth form": 204,
}
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
    for m in _AGE_CLINICAL.finditer(normalised):
        ages.append(float(m.group(1)) if m.group(2) == "12" else int(m.group(1)) * 12 / 52)
    ages += [float(m.group(1)) for m in _AGE_SHORT_MONTHS.finditer(normalised)]
    # School year N: the child is N+4 to N+5 years old; take the younger end.
    ages += [(int(m.group(1)) + 4) * 12.0 for m in _SCHOOL_YEAR.finditer(normalised) if 0 < int(m.group(1)) <= 13]
    ages += [float(_STAGE_MONTHS[m.group(1)]) for m in _STAGE.finditer(normalised)]
    return ages
