"""The offline embedder is the pinned all-MiniLM-L6-v2 int8 ONNX model, run as trained."""

import numpy as np
import pytest

from providers import local_provider
from providers.base import EMBEDDING_DIMENSIONS
from providers.local_provider import EmbeddingModelError, LocalEmbedder, _MiniLM

# Recorded from the pinned files (model.onnx sha256 8199be6f…, tokenizer be50c362…): a change
# of model, tokenizer, truncation or pooling moves these values.
REFERENCE = {
    "Net cash provided by operating activities": [
        -0.02215,
        -0.02051,
        0.00262,
        -0.08519,
        -0.07044,
        -0.01312,
        0.16568,
        0.03192,
    ],
    "Purchases of property, plant and equipment": [
        0.01825,
        0.04329,
        0.02272,
        -0.03303,
        0.03136,
        0.04703,
        0.06254,
        0.02816,
    ],
}


def _vectors(texts):
    return np.array(LocalEmbedder().embed_documents(texts))


def test_vectors_are_unit_length_padded_to_platform_dimensions():
    vectors = _vectors(["Total net revenues 6,054.8", "Risk factors"])
    assert vectors.shape == (2, EMBEDDING_DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert not vectors[:, local_provider.MODEL_DIMENSIONS :].any()


def test_vectors_match_the_pinned_model_reference_values():
    vectors = _vectors(list(REFERENCE))
    for vector, expected in zip(vectors, REFERENCE.values(), strict=True):
        assert np.allclose(vector[: len(expected)], expected, atol=2e-4)


def test_meaning_not_words_decides_similarity():
    query = np.array(LocalEmbedder().embed_query("What was the capital expenditure?"))
    capex, weather = _vectors(
        ["Purchases of property, plant and equipment (1,577)", "It rained all week in Sydney."]
    )
    assert query @ capex > query @ weather + 0.1


def test_batch_order_and_length_do_not_change_a_vector():
    texts = ["short", "a much longer passage about inventories and cost of sales " * 20, "mid"]
    alone = [_vectors([text])[0] for text in texts]
    together = _vectors(texts)
    assert np.allclose(together, alone, atol=1e-4)


def test_a_model_file_that_is_not_the_pinned_one_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "tokenizer.json"
    fake.write_text("{}")
    monkeypatch.setattr(local_provider, "TOKENIZER_PATH", fake)
    with pytest.raises(EmbeddingModelError, match="not the pinned file"):
        _MiniLM()
