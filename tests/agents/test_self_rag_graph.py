"""Every edge of the Self-RAG graph, driven by a scripted chat model, with LLM call counts."""

from agents.prompts import GradeDocuments, GradeGeneration, RewrittenQuestion
from agents.self_rag import NO_EVIDENCE, UNVERIFIED, SelfRagDeps, build_graph, recursion_limit

from .scripted import FakePassage, ScriptedChat, ScriptedRetriever

P1 = FakePassage("Revenue was $4.2 billion in 2024.")
P2 = FakePassage("The board met nine times.", page=7, page_label="7")
GOOD = GradeGeneration(grounded=True, answers_question=True)
HALLUCINATED = GradeGeneration(grounded=False, answers_question=True)
OFF_TOPIC = GradeGeneration(grounded=True, answers_question=False)


def run(chat, retriever, attempts=3, retries=1):
    deps = SelfRagDeps(
        chat=chat,
        retrieve=retriever,
        max_retrieval_attempts=attempts,
        max_generation_retries=retries,
    )
    return build_graph(deps).invoke(
        {"question": "What was revenue in 2024?"},
        {"recursion_limit": recursion_limit(deps)},
    )


def nodes(state):
    return [step["node"] for step in state["trace"]]


def test_happy_path_uses_three_llm_calls_and_grades_all_chunks_in_one():
    chat = ScriptedChat(structured=[GradeDocuments(relevant=[1]), GOOD])
    state = run(chat, ScriptedRetriever([P1, P2]))
    assert chat.calls == ["GradeDocuments", "generate", "GradeGeneration"]
    assert state["relevant"] == [P1]
    assert state["grounded"] is True
    assert state["limits_hit"] == []
    assert nodes(state) == ["retrieve", "grade_documents", "generate", "grade_generation", "finish"]


def test_irrelevant_documents_transform_the_query_and_retrieve_again():
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[]),
            RewrittenQuestion(question="total revenue net sales 2024"),
            GradeDocuments(relevant=[1]),
            GOOD,
        ]
    )
    retriever = ScriptedRetriever([P2], [P1])
    state = run(chat, retriever)
    assert retriever.queries == ["What was revenue in 2024?", "total revenue net sales 2024"]
    assert nodes(state)[:4] == ["retrieve", "grade_documents", "transform_query", "retrieve"]
    assert state["grounded"] is True
    assert len(chat.calls) == 5


def test_the_rewrite_request_names_the_line_items_of_the_metric_asked_for():
    """With a real model, transform_query gets the glossary's printed line items, so its
    rewrite searches for "accounts payable" and "cost of sales" when asked for a DPO."""
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[]),
            RewrittenQuestion(question="accounts payable cost of sales 2024"),
            GradeDocuments(relevant=[1]),
            GOOD,
        ]
    )
    deps = SelfRagDeps(
        chat=chat,
        retrieve=ScriptedRetriever([P2], [P1]),
        max_retrieval_attempts=3,
        max_generation_retries=1,
    )
    build_graph(deps).invoke(
        {"question": "What was the days payable outstanding in 2024?"},
        {"recursion_limit": recursion_limit(deps)},
    )
    rewrite = chat.prompts[chat.calls.index("RewrittenQuestion")]
    assert rewrite.startswith("Question: What was the days payable outstanding in 2024?")
    assert "Line items filings print for it:" in rewrite
    assert "accounts payable" in rewrite and "cost of sales" in rewrite


def test_a_question_without_a_known_metric_is_rewritten_from_itself_alone():
    from agents.prompts import rewrite_user

    assert rewrite_user("Who chairs the board?", "") == "Question: Who chairs the board?"


def test_hallucinated_answer_is_generated_again():
    chat = ScriptedChat(
        structured=[GradeDocuments(relevant=[1]), HALLUCINATED, GOOD],
        answers=["Revenue was $9 trillion [1].", "Revenue was $4.2 billion [1]."],
    )
    state = run(chat, ScriptedRetriever([P1]))
    assert chat.calls.count("generate") == 2
    assert state["answer"] == "Revenue was $4.2 billion [1]."
    assert state["limits_hit"] == []


def test_grounded_but_unhelpful_answer_transforms_the_query():
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[1]),
            OFF_TOPIC,
            RewrittenQuestion(question="revenue 2024 income statement"),
            GradeDocuments(relevant=[1]),
            GOOD,
        ]
    )
    state = run(chat, ScriptedRetriever([P1]))
    assert "transform_query" in nodes(state)
    assert nodes(state).count("retrieve") == 2
    assert state["answers_question"] is True


def test_retrieval_bound_hit_answers_with_no_evidence_and_says_so():
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[]),
            RewrittenQuestion(question="q2"),
            GradeDocuments(relevant=[]),
        ]
    )
    state = run(chat, ScriptedRetriever([P2]), attempts=2)
    assert state["answer"] == NO_EVIDENCE
    assert state["limits_hit"] == ["retrieval_attempts"]
    assert state["grounded"] is False
    assert chat.calls.count("GradeDocuments") == 2


def test_with_nothing_relevant_every_retrievals_passages_are_cited_the_questions_first():
    p1, p2, p3 = (FakePassage(f"passage {n}", page=n, page_label=str(n)) for n in (1, 2, 3))
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[]),
            RewrittenQuestion(question="q2"),
            GradeDocuments(relevant=[]),
        ]
    )
    state = run(chat, ScriptedRetriever([p1, p2], [p3, p1]), attempts=2)
    assert state["answer"] == NO_EVIDENCE
    # The question's own search in its order, then what the rewrite added, no repeats.
    assert state["passages"] == [p1, p2, p3]


def test_a_rewrite_that_repeats_a_search_gives_up_without_searching_again():
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[]),
            RewrittenQuestion(question="revenue 2024"),
            GradeDocuments(relevant=[]),
            RewrittenQuestion(question="revenue 2024"),
        ]
    )
    retriever = ScriptedRetriever([P2])
    state = run(chat, retriever, attempts=3)
    assert retriever.queries == ["What was revenue in 2024?", "revenue 2024"]
    assert state["answer"] == NO_EVIDENCE
    assert nodes(state)[-2:] == ["transform_query", "give_up"]
    assert chat.calls.count("GradeDocuments") == 2


def test_a_repeated_rewrite_after_a_grounded_partial_draft_keeps_that_draft():
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[1]),
            OFF_TOPIC,
            RewrittenQuestion(question="What was revenue in 2024?"),
        ],
        answers=["Revenue was $4.2 billion [1]."],
    )
    state = run(chat, ScriptedRetriever([P1]), attempts=3, retries=2)
    assert state["answer"] == "Revenue was $4.2 billion [1]."
    assert nodes(state)[-2:] == ["transform_query", "finish"]
    assert state["limits_hit"] == ["generation_retries"]


def test_generation_retry_bound_hit_returns_unverified_with_passages():
    chat = ScriptedChat(
        structured=[GradeDocuments(relevant=[1]), HALLUCINATED, HALLUCINATED, HALLUCINATED]
    )
    state = run(chat, ScriptedRetriever([P1]), retries=1)
    assert chat.calls.count("generate") == 2
    assert state["answer"] == UNVERIFIED
    assert state["limits_hit"] == ["generation_retries"]
    assert state["passages"] == [P1]


def test_grounded_unhelpful_at_retrieval_bound_returns_best_answer():
    chat = ScriptedChat(structured=[GradeDocuments(relevant=[1]), OFF_TOPIC])
    state = run(chat, ScriptedRetriever([P1]), attempts=1)
    assert state["grounded"] is True
    assert state["limits_hit"] == ["retrieval_attempts"]
    assert state["answer"] == "It is 42 [1]."


def test_no_passages_skips_the_grading_call():
    chat = ScriptedChat(structured=[RewrittenQuestion(question="again")])
    state = run(chat, ScriptedRetriever([]), attempts=2)
    assert "GradeDocuments" not in chat.calls
    assert state["limits_hit"] == ["retrieval_attempts"]


def test_drafts_after_a_new_retrieval_count_against_the_retry_budget():
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[1]),
            OFF_TOPIC,
            RewrittenQuestion(question="q2"),
            GradeDocuments(relevant=[1]),
            OFF_TOPIC,
        ]
    )
    state = run(chat, ScriptedRetriever([P1]), attempts=3, retries=1)
    assert chat.calls.count("generate") == 2
    assert chat.calls.count("RewrittenQuestion") == 1
    assert state["limits_hit"] == ["generation_retries"]
    assert state["grounded"] is True


def test_worst_path_with_default_bounds_is_nine_calls_without_router():
    # Irrelevant, then grounded-but-unhelpful, then hallucinating: every loop taken once.
    chat = ScriptedChat(
        structured=[
            GradeDocuments(relevant=[]),
            RewrittenQuestion(question="q2"),
            GradeDocuments(relevant=[1]),
            OFF_TOPIC,
            RewrittenQuestion(question="q3"),
            GradeDocuments(relevant=[1]),
            HALLUCINATED,
        ]
    )
    state = run(chat, ScriptedRetriever([P1]), attempts=3, retries=1)
    assert len(chat.calls) == 9
    assert state["limits_hit"] == ["generation_retries"]
    assert state["answer"] == UNVERIFIED
