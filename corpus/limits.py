"""What one document may unpack to: file size, text lines, decompressed bytes, rows, cells,
pages. One frozen dataclass, defaults overridable from the environment (BUDGETQA_MAX_ROWS …,
the pattern of `index.config.IndexConfig`, which corpus may not import).

A file over a limit is refused by `TooLarge` before it is inflated: sizes are read from the
file system and the zip directory, rows and cells are counted in the raw sheet XML, a
streamed read that stops at the limit. A real budget is far below every limit (the largest of
the 17 known has 307 table rows, 2,171 cells and 131 paragraphs); the limits keep a hostile or mistaken file
under 1 GB of memory and its parse bounded. Time grows faster than the rows: measured on
2 shared cores (load ~6), a generated workbook of 2,000 rows parses in 15 s, 4,000 in 17-30 s,
9,900 in 153 s (peak 109 MB), 49,000 in more than 10 minutes; hence 5,000 rows, 16 times the
largest real budget (benchmarks/hostile.py for the refused files).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from .blocks import ParseError

ENV_PREFIX = "BUDGETQA_"
MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 100 * MB      # any file given to a reader (uploads have their own 20 MB)
    max_text_bytes: int = 20 * MB       # .txt and .html
    max_text_lines: int = 200_000
    max_unzipped_bytes: int = 200 * MB  # all members of an .xlsx/.docx, as its zip directory declares
    max_zip_ratio: int = 200            # uncompressed / compressed, for a member over 1 MB
    max_rows: int = 5_000               # table rows in the whole document
    max_cells: int = 50_000             # table cells in the whole document
    max_pages: int = 2_000              # PDF pages
    max_paragraphs: int = 3_000         # paragraphs of text: each is embedded (~15 a second on 2 cores)

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"ReadLimits.{f.name} must be positive, got {getattr(self, f.name)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """Defaults, overridden by BUDGETQA_MAX_FILE_BYTES, BUDGETQA_MAX_ROWS, … (integers)."""
        env = os.environ if environ is None else environ
        overrides: dict[str, int] = {}
        for f in fields(cls):
            raw = (env.get(ENV_PREFIX + f.name.upper()) or "").strip()
            if raw:
                try:
                    overrides[f.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{ENV_PREFIX}{f.name.upper()} must be an integer, got {raw!r}") from None
        return cls(**overrides)


class TooLarge(ParseError):
    """A file over one of `ReadLimits`: `measure` names which (a field of ReadLimits), `found`
    is what the file has or declares (at least; counting stops past the limit)."""

    def __init__(self, source: str, measure: str, limit: int, found: int):
        self.source, self.measure, self.limit, self.found = source, measure, limit, found
        super().__init__(f"{source}: too large to read ({measure.removeprefix('max_')} {found:,} > limit {limit:,}, "
                         f"{ENV_PREFIX}{measure.upper()}); a budget is far smaller: check the file, or split it")


def check(source: str, measure: str, found: int, limits: ReadLimits) -> None:
    """Raise `TooLarge` when `found` is over the limit `measure` names."""
    limit = getattr(limits, measure)
    if found > limit:
        raise TooLarge(source, measure, limit, found)
