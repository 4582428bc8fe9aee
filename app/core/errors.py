"""Domain errors: what a user of the core can get wrong.

    DomainError
    ├── NotFound
    │   ├── UnknownAssessment
    │   └── UnknownItem            (scenario, timeline, classroom, ...)
    ├── InvalidAnswer
    │   └── UnknownQuestion
    ├── InvalidInput
    └── Conflict                   (a concurrent update won)

The web layer maps each class to one HTTP status in one place (app/web/errors.py).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a caller can cause. `code` is the machine-readable name."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class UnknownAssessment(NotFound):
    code = "unknown_assessment"

    def __init__(self, assessment_id: str) -> None:
        super().__init__("No assessment with that id. It may have expired or been deleted; start a new one.")
        self.assessment_id = assessment_id


class UnknownItem(NotFound):
    code = "not_found"


class InvalidAnswer(DomainError):
    code = "invalid_answer"

    def __init__(self, question_id: str, message: str, valid: list[str]) -> None:
        super().__init__(f"{message} Valid options for {question_id!r}: {', '.join(valid)}.")
        self.question_id = question_id
        self.valid = valid


class UnknownQuestion(InvalidAnswer):
    code = "unknown_question"

    def __init__(self, question_id: str, open_questions: list[str]) -> None:
        DomainError.__init__(
            self,
            f"Question {question_id!r} is not part of this assessment as answered so far. "
            f"Questions you can answer now: {', '.join(open_questions) or 'none'}.",
        )
        self.question_id = question_id
        self.valid = open_questions


class InvalidInput(DomainError):
    code = "invalid_input"


class Conflict(DomainError):
    code = "conflict"
