"""BM25 over Chinese budget text.

Tokens: CJK runs become character unigrams + bigrams (no dictionary segmenter needed, and
bigrams recover most word-level precision); digit runs such as 科目编码 2101101 or amounts
45084.94 and ASCII words stay whole. bm25s is used directly because llama-index's
BM25Retriever applies its own English tokenizer and scores Chinese text 0.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from corpus.text import IDEOGRAPHS
from index.atomic import write_json_atomic

if TYPE_CHECKING:  # bm25s (and scipy) load with an index, not with the tokenizer's version
    import bm25s

# Bump when tokenize() changes: an index built with other tokens must be rebuilt.
TOKENIZER_VERSION = "cjk-uni-bi+alnum/1"
META_FILE = "budgetqa_bm25.json"

_TOKEN_RE = re.compile(rf"(?P<cjk>[{IDEOGRAPHS}]+)|(?P<alnum>[0-9a-z]+(?:\.[0-9]+)*)")
# "1,234.56" -> "1234.56": tables use thousands separators, questions usually don't.
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


def normalise(text: str) -> str:
    # Thousands commas go first: after NFKC a Chinese clause comma "，" would look like one.
    # NFKC then folds full-width digits/letters (２１０, ＡＢＣ) into ASCII, common in PDFs.
    return unicodedata.normalize("NFKC", _THOUSANDS_RE.sub("", text)).lower()


def cjk_ngrams(run: str) -> list[str]:
    unigrams = list(run)
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return unigrams + bigrams


def tokenize(text: str) -> list[str]:
    """Unigrams + bigrams of CJK runs; whole digit runs and ASCII words; punctuation dropped."""
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(normalise(text)):
        if match.group("cjk"):
            tokens.extend(cjk_ngrams(match.group("cjk")))
        else:
            tokens.append(match.group("alnum"))
    return tokens


class BM25Index:
    """Documents are addressed by their position in the list given to `build`."""

    def __init__(self, retriever: bm25s.BM25 | None, n_docs: int) -> None:
        self._retriever = retriever  # None for an empty corpus: bm25s cannot index nothing
        self._n_docs = n_docs

    def __len__(self) -> int:
        return self._n_docs

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> BM25Index:
        if not texts:
            return cls(None, 0)
        import bm25s

        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index([tokenize(t) for t in texts], show_progress=False)
        return cls(retriever, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for `query` (0 where no query token occurs)."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in tokenize(query) if t in self._retriever.vocab_dict]
        if not known:  # bm25s.get_scores cannot take an empty token list
            return np.zeros(self._n_docs, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Top-k (doc_idx, score), best first; documents sharing no token are left out.
        Equal scores keep document order, so results are deterministic."""
        scores = self.scores(query)
        matched = np.flatnonzero(scores > 0)
        order = np.lexsort((matched, -scores[matched]))[:k]
        return [(int(matched[i]), float(scores[matched[i]])) for i in order]

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(folder)
        meta = {"tokenizer": TOKENIZER_VERSION, "n_docs": self._n_docs}
        # Written last and atomically: a folder without it is an unfinished save.
        write_json_atomic(folder / META_FILE, meta)

    @classmethod
    def load(cls, folder: str | Path, *, mmap: bool = False) -> BM25Index:
        """`mmap`: the score matrix stays in its files, paged in as queries read a token's
        postings (the vocabulary is still read whole); scores are the same."""
        folder = Path(folder)
        meta_path = folder / META_FILE
        if not meta_path.exists():
            raise FileNotFoundError(f"no BM25 index at {folder} (missing {META_FILE})")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["tokenizer"] != TOKENIZER_VERSION:
            raise ValueError(
                f"BM25 index at {folder} was built with tokenizer {meta['tokenizer']!r}, "
                f"this code uses {TOKENIZER_VERSION!r}: rebuild it"
            )
        if meta["n_docs"] == 0:
            return cls(None, 0)
        import bm25s

        return cls(bm25s.BM25.load(folder, mmap=mmap), int(meta["n_docs"]))
