"""The offline local provider: no key, no network. SIMULATED — for `make run`, tests and CI.

The embedder hashes words and word pairs into 1024 dimensions (deterministic, lexical
similarity only). The chat model is extractive: it quotes retrieved passages with their
pages and labels every answer as coming from the offline local mode.
"""

import hashlib
import itertools
import math
import re

import numpy as np

from agents.providers.base import EMBEDDING_DIMENSIONS, Embedder

LOCAL_EMBEDDING_MODEL = "local-hash-1024-v1"
LOCAL_CHAT_MODEL = "local-extractive-v1"

_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
STOPWORDS = frozenset(
    "a an the of and or to in on for by with at from as is are was were be been this that "
    "these those it its what which who whom how when where why did does do our their your "
    "we they he she i you us than then there per into over under about".split()
)


def terms(text: str) -> list[str]:
    """Lower-cased content words (numbers kept, thousands separators dropped)."""
    words = (w.replace(",", "") for w in _WORD.findall(text.lower()))
    return [w for w in words if w not in STOPWORDS]


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % EMBEDDING_DIMENSIONS, 1.0 if (value >> 63) & 1 else -1.0


class LocalEmbedder(Embedder):
    """Feature-hashing embedder (unigrams + bigrams, sublinear tf, L2-normalised)."""

    model_id = LOCAL_EMBEDDING_MODEL

    def _embed(self, text: str) -> list[float]:
        words = terms(text)
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        for left, right in itertools.pairwise(words):
            pair = f"{left} {right}"
            counts[pair] = counts.get(pair, 0) + 1
        vector = np.zeros(EMBEDDING_DIMENSIONS, dtype=np.float32)
        for feature, count in counts.items():
            index, sign = _bucket(feature)
            weight = 1.0 + math.log(count)
            vector[index] += sign * (weight * 0.5 if " " in feature else weight)
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0  # empty text still gets a valid unit vector for cosine search
            norm = 1.0
        return (vector / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.meter.record(
            kind="embedding", model=self.model_id, input_tokens=sum(len(t) // 4 for t in texts)
        )
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        self.meter.record(kind="embedding", model=self.model_id, input_tokens=len(text) // 4)
        return self._embed(text)
