"""Text rules shared by every stage: which characters count as Chinese, how wrapped lines
join, page numbers, list numbers, full-width forms.

Budget text needs several different notions of "a Chinese character". They are kept
apart on purpose, each named for what it holds, because widening or narrowing any of them
changes what a reader or the tokenizer produces.
"""

from __future__ import annotations

import re

# --- character classes (the inside of a regex [...]) -------------------------------------

HAN = "\u4e00-\u9fff"  # CJK Unified Ideographs: the characters of ordinary Chinese text
HAN_FROM_EXT_A = "\u3400-\u9fff"  # the same, from Extension A on (rare characters some PDF fonts use)
# Every ideograph block (Extension A, the basic block, compatibility ideographs, Extensions
# B–F): what the BM25 tokenizer cuts into n-grams.
IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
CJK_PUNCTUATION = "\u3000-\u303f"  # 、。〈〉「」【】〔〕 and the ideographic space
FULLWIDTH_FORMS = "\uff00-\uffef"  # （）：，１２ and half-width katakana
CURLY_QUOTES = "“”‘’"

# Chinese text in a PDF cell: ideographs (from Extension A), CJK punctuation, full-width forms.
PDF_CJK = f"{CJK_PUNCTUATION}{HAN_FROM_EXT_A}{FULLWIDTH_FORMS}"


def is_east_asian(ch: str) -> bool:
    """The widest notion: CJK radicals to ideographs (kana and bopomofo included),
    compatibility ideographs and forms, full-width forms, and the quotes ‘ ’ ‚ ‛ “ ” (of
    “三公”). Between two such characters a line break is not a space."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x2018 <= o <= 0x201D
    )


# --- wrapped lines --------------------------------------------------------------------------


def join_wrapped_lines(lines: list[str]) -> str:
    """Join the lines of a cell: no space between Chinese characters (公务用车 / 购置费),
    else one (Office / Software, 2024 / 年)."""
    out = ""
    for line in lines:
        if out and not (is_east_asian(out[-1]) and is_east_asian(line[0])):
            out += " "
        out += line
    return out


# --- PDF glyphs and page numbers --------------------------------------------------------------

# Glyphs some Chinese PDFs print for 〔 〕 (a document number like 苏财预〔2019〕7号).
PDF_GLYPH_FIXES = str.maketrans({"„": "〔", "‟": "〕"})

# A PDF line that is a page number and nothing else, in any printed form: 3, - 3 -, 第3页,
# 3/12, 第 3 页 / 共 12 页. The PDF reader drops it from the top or bottom margin only.
PAGE_FOLIO = re.compile(
    r"^[-–—－\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*共?\s*\d{1,4}\s*页?)?[-–—－\s]*$"
)
