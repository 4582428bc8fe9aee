"""The word lists of app/core/language/data/, read once when the module that needs them is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_tables(path: Path) -> dict[str, Any]:
    """A mapping of word tables from a YAML file (libyaml when present: read at every start-up)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of word tables")
    return data


def load_yaml(name: str) -> dict[str, Any]:
    """A mapping of word tables from data/<name>."""
    return load_tables(DATA_DIR / name)


def load_words(name: str) -> frozenset[str]:
    """One word or phrase a line from data/<name>; blank lines and lines starting with # are skipped."""
    lines = (line.strip() for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))
