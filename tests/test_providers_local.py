"""The offline local model answers structured calls by the schema's fields, as a model would."""

from types import SimpleNamespace

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from agents import prompts
from providers.base import ProviderError
from providers.local_provider import LocalChatModel

PASSAGES = [
    SimpleNamespace(title="Annual Report", page_label="3", text="Revenue was $1,482.3 million."),
    SimpleNamespace(title="Annual Report", page_label="9", text="The board met four times."),
]
QUESTION = "What was revenue?"


def _ask(schema: type[BaseModel], user: str) -> BaseModel:
    return LocalChatModel().structured([SystemMessage("system"), HumanMessage(user)], schema)


def test_local_model_answers_each_structured_call_the_agents_make():
    route = _ask(prompts.RouterQuery, prompts.question_block(QUESTION))
    grade = _ask(prompts.GradeDocuments, prompts.grade_documents_user(QUESTION, PASSAGES))
    answer = "“Revenue was $1,482.3 million.” [1]"
    verdict = _ask(
        prompts.GradeGeneration, prompts.grade_generation_user(QUESTION, PASSAGES, answer)
    )
    rewritten = _ask(prompts.RewrittenQuestion, prompts.rewrite_user(QUESTION))

    assert route == prompts.RouterQuery(datasource="financial_docs")
    assert grade == prompts.GradeDocuments(relevant=[1])
    assert verdict.grounded and verdict.answers_question
    assert isinstance(rewritten, prompts.RewrittenQuestion) and rewritten.question != QUESTION


def test_local_model_reads_the_schema_not_its_identity():
    """A schema with the router's fields, defined anywhere, gets the router's answer: the
    providers need not import agents.prompts (the apps import one way)."""

    class Route(BaseModel):
        datasource: str

    assert _ask(Route, prompts.question_block("Latest news on rates?")) == Route(
        datasource="web_search"
    )


def test_local_model_refuses_a_schema_it_has_no_rule_for():
    class Sentiment(BaseModel):
        positive: bool

    with pytest.raises(ProviderError) as excinfo:
        _ask(Sentiment, prompts.question_block(QUESTION))
    assert excinfo.value.code == "local_provider_unsupported"


def test_local_rewrite_adds_words_or_gives_the_question_back():
    widened = _ask(prompts.RewrittenQuestion, prompts.rewrite_user("What was revenue?"))
    assert "net sales" in widened.question
    # Nothing to add: the same question, which the graph has searched, so it stops there.
    question = "Which region dragged down overall growth?"
    same = _ask(prompts.RewrittenQuestion, prompts.rewrite_user(question))
    assert same.question == question
