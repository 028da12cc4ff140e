"""The state the question-answering graphs share, and the passages they reason over."""

import operator
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypedDict


class Passage(Protocol):
    """What a graph needs of a retrieved chunk or a web result."""

    title: str
    page_label: str
    text: str


@dataclass(frozen=True)
class WebResult:
    title: str
    url: str
    text: str
    score: float = 0.0

    @property
    def page_label(self) -> str:
        return self.url


class AnswerState(TypedDict, total=False):
    question: str
    query: str
    route: str
    passages: list[Any]
    # Every retrieval's passages, in order (the question's own first), and the queries tried.
    attempts: Annotated[list[list[Any]], operator.add]
    tried: Annotated[list[str], operator.add]
    repeated: bool  # the last rewrite asked for a query already searched
    relevant: list[Any]
    answer: str
    sql_fallback: bool  # the sql route found no figures: financial_docs answers instead
    grounded: bool
    answers_question: bool
    retrievals: int
    generations: int
    limits_hit: Annotated[list[str], operator.add]
    trace: Annotated[list[dict], operator.add]
