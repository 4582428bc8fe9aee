"""The base of every content model: unknown keys are errors, and loaded content never changes.

Its own module so that models.py can import the escalation, knowledge and scenario models without a cycle.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
