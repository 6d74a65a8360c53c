"""`python -m index bench`: build and answer figures for corpora synthesised from every real
template (`synthesis`), at several sizes: builds (`builds`), serving (`queries`), the fact
store alone (`factscale`), the course of a run (`run`) and its tables (`report`)."""

from .run import run_bench

__all__ = ["run_bench"]
