"""libyaml's parser (for a fast start-up) reads the content exactly as the pure-Python loader does."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from app.config import REPO_ROOT
from app.content.loader import ContentInvalid, _FastLoader, _Loader, parse_yaml


def with_lines(data: Any) -> Any:
    """The data plus every line number the loader kept, for comparing two loaders."""
    if isinstance(data, dict):
        return (
            "map",
            getattr(data, "line", None),
            getattr(data, "key_lines", None),
            {k: with_lines(v) for k, v in data.items()},
        )
    if isinstance(data, list):
        return ("seq", getattr(data, "line", None), getattr(data, "item_lines", None), [with_lines(v) for v in data])
    return data


def test_libyaml_is_in_use() -> None:
    assert _FastLoader.__mro__[1] is yaml.CSafeLoader


@pytest.mark.parametrize(
    "path", sorted((REPO_ROOT / "rules").rglob("*.yaml")) + sorted((REPO_ROOT / "dialogues").rglob("*.yaml")), ids=str
)
def test_both_loaders_read_every_content_file_the_same(path: Any) -> None:
    text = path.read_text()
    assert with_lines(yaml.load(text, Loader=_FastLoader)) == with_lines(yaml.load(text, Loader=_Loader))


def test_yes_no_stay_strings_and_duplicates_are_refused() -> None:
    assert parse_yaml("answers: [yes, no, on, off, true]\n", "x.yaml") == {"answers": ["yes", "no", "on", "off", True]}
    with pytest.raises(ContentInvalid) as caught:
        parse_yaml("a: 1\nb: 2\na: 3\n", "x.yaml")
    assert [str(e) for e in caught.value.errors] == ["x.yaml:3: YAML: duplicate key 'a' (first on line 1)"]


def test_syntax_errors_keep_the_pure_python_wording() -> None:
    text = "a: b: c\n"
    with pytest.raises(yaml.MarkedYAMLError) as python_error:
        yaml.load(text, Loader=_Loader)
    with pytest.raises(ContentInvalid) as caught:
        parse_yaml(text, "x.yaml")
    assert [str(e) for e in caught.value.errors] == [f"x.yaml:1: YAML: {python_error.value.problem}"]
