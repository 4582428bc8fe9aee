"""The one normalisation and stemmer (app/core/language/text.py) and its word lists (data/text.yaml)."""

from __future__ import annotations

import pytest
import yaml

from app.core.language import text
from app.core.language.data import DATA_DIR, load_words
from app.core.language.text import STOPWORDS, normalise, plain, stem, tokenise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Don\u2019t PANIC", "don't panic"),  # curly apostrophe straightened, lower case
        ("self\u2013harm", "self-harm"),  # en dash as a hyphen
        ("\uff39\uff25\uff33", "yes"),  # full-width letters (NFKC)
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Don't know!", "dont know"),
        ("  Yes \u2014 he said so. ", "yes he said so"),
        ("I\u2019m not sure", "im not sure"),
        ("50%, & more", "50%, & more"),
        ("", ""),
    ],
)
def test_plain_keeps_words_only(raw: str, expected: str) -> None:
    assert plain(raw) == expected


@pytest.mark.parametrize(
    ("words", "shared"),
    [
        (["bruise", "bruised", "bruises", "bruising"], "bruis"),
        (["hit", "hitting"], "hit"),
        (["go", "goes", "going", "gone", "went"], "go"),
        (["child", "children"], "child"),
        (["injury", "injuries"], "injuri"),
    ],
)
def test_forms_of_a_word_share_one_stem(words: list[str], shared: str) -> None:
    assert {stem(word) for word in words} == {shared}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("missed", "missing"),  # a missed appointment is not a child missing from home
        ("bitten", "bit"),  # "a bit" is not a bite
        ("miss", "mis"),  # a double s stays
    ],
)
def test_words_kept_apart(one: str, other: str) -> None:
    assert stem(one) != stem(other)


def test_short_words_and_numbers_are_left_alone() -> None:
    assert [stem(word) for word in ("is", "bed", "12", "3rd")] == ["is", "bed", "12", "3rd"]


def test_tokens_expand_abbreviations_misspellings_and_variants_with_their_source_span() -> None:
    note = "DV at home, Mum has sucidal thoughts, behavior worse"
    tokens = tokenise(note)
    words = [t.word for t in tokens]
    assert words[:2] == ["domestic", "violence"]
    assert "suicidal" in words and "behaviour" in words and "mum" in words
    dv = [t for t in tokens if t.word in ("domestic", "violence")]
    assert {note[t.start : t.end] for t in dv} == {"DV"}


def test_capital_only_abbreviations_stay_words_in_lower_case() -> None:
    assert [t.word for t in tokenise("please send it")] == ["please", "send", "it"]
    assert [t.word for t in tokenise("SEND support")][:3] == ["special", "educational", "needs"]


def test_a_role_after_its_first_word_reads_as_staff_or_student() -> None:
    assert [t.word for t in tokenise("the dinner lady")] == ["the", "dinner", "staff"]
    assert [t.word for t in tokenise("a sixth former")] == ["a", "sixth", "student"]
    assert [t.word for t in tokenise("a former partner")] == ["a", "former", "partner"]


def test_sentences_are_numbered_and_clock_times_do_not_break_them() -> None:
    tokens = tokenise("Seen at 01:10. Fine now")
    assert [t.sentence for t in tokens] == [0, 0, 0, 0, 1, 1]


def test_word_lists_are_read_from_the_data_file() -> None:
    data = yaml.safe_load((DATA_DIR / "text.yaml").read_text(encoding="utf-8"))
    expected_keys = {
        "abbreviations_upper", "abbreviations", "misspellings", "variants", "role_nouns", "role_reads_as",
        "number_words", "irregular", "stopwords", "stage_months",
    }  # fmt: skip
    assert set(data) == expected_keys
    assert frozenset(data["stopwords"]) == STOPWORDS
    assert all(
        isinstance(v, str) for table in ("abbreviations", "misspellings", "variants") for v in data[table].values()
    )
    assert all(isinstance(v, int) for v in data["number_words"].values())
    assert data["irregular"] == text._IRREGULAR


def test_word_list_files_have_no_blanks_or_duplicates_that_hide_a_typo() -> None:
    for name in ("first_names.txt", "not_names.txt", "school_stopwords.txt", "knowledge_stopwords.txt"):
        lines = [
            line for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines() if not line.startswith("#")
        ]
        words = [line for line in lines if line.strip()]
        assert words == [w.strip() for w in words], name
        assert len(set(words)) == len(words) == len(load_words(name)), name
