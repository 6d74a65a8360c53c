"""Text rules shared by every stage: which characters count as Chinese, how wrapped lines
join, page numbers, list numbers, full-width forms.

Budget text needs several different notions of "a Chinese character". They are kept
apart on purpose, each named for what it holds, because widening or narrowing any of them
changes what a reader or the tokenizer produces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- character classes (the inside of a regex [...]) -------------------------------------

HAN = r"\u4e00-\u9fff"  # CJK Unified Ideographs: the characters of ordinary Chinese text
HAN_FROM_EXT_A = r"\u3400-\u9fff"  # the same, from Extension A on (rare characters some PDF fonts use)
# Every ideograph block (Extension A, the basic block, compatibility ideographs, Extensions
# B–F): what the BM25 tokenizer cuts into n-grams.
IDEOGRAPHS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
CJK_PUNCTUATION = r"\u3000-\u303f"  # 、。〈〉「」【】〔〕 and the ideographic space
FULLWIDTH_FORMS = r"\uff00-\uffef"  # （）：，１２ and half-width katakana
CURLY_QUOTES = "“”‘’"

# Chinese text in a printed label: ideographs, CJK punctuation, full-width forms, “” ‘’.
LABEL_CJK = f"{CJK_PUNCTUATION}{HAN}{FULLWIDTH_FORMS}{CURLY_QUOTES}"
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


# --- full-width forms, labels, list numbers -------------------------------------------------


def normalize_text(text: str) -> str:
    """Full-width to half-width for digits/ASCII (NFKC), but keep Chinese punctuation that
    carries meaning in labels such as “三公” and （境）."""
    out = []
    for ch in text:
        if "\uff01" <= ch <= "\uff5e" and ch not in "（）：；，！？":
            out.append(unicodedata.normalize("NFKC", ch))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{LABEL_CJK}])\s+(?=[{LABEL_CJK}])")


def clean_label(text: str) -> str:
    """Undo line wrapping inside a cell: `事业单 位经营 支出` → `事业单位经营支出`,
    `机关运行经\\n费预算数` → `机关运行经费预算数`; keep spaces between Latin words."""
    text = text.replace("\r", "").strip()
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = re.sub(r"\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", text)


# A list number opening a line or label: 1. / 1、 / 一、 / 廿一、 / （一） / (一). "1.5" is a figure, not one.
LIST_NUMBER = re.compile(r"^(\d{1,2}[.、．](?!\d)|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十廿]+、)\s*")


def strip_list_number(text: str) -> str:
    return LIST_NUMBER.sub("", text)


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


def join_paragraph_lines(left: str, right: str) -> str:
    """Join a paragraph continued on the next line: a space only between two ASCII letters
    or digits; a break inside Chinese text, or between a figure and its unit, is none."""
    if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return f"{left} {right}"
    return left + right


# --- PDF glyphs and page numbers --------------------------------------------------------------

# Glyphs some Chinese PDFs print for 〔 〕 (a document number like 苏财预〔2019〕7号).
PDF_GLYPH_FIXES = str.maketrans({"„": "〔", "‟": "〕"})

# A line the assembler drops between blocks of any format: a bare page number between dashes
# (- 3 -), or a line that opens with 第N页. Looser at the end, stricter in digits than PAGE_FOLIO.
PAGE_NUMBER_LINE = re.compile(r"^[-—\s]*\d{1,3}[-—\s]*$|^第\s*\d+\s*页")

# A PDF line that is a page number and nothing else, in any printed form: 3, - 3 -, 第3页,
# 3/12, 第 3 页 / 共 12 页. The PDF reader drops it from the top or bottom margin only.
PAGE_FOLIO = re.compile(
    r"^[-–—－\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*共?\s*\d{1,4}\s*页?)?[-–—－\s]*$"
)


LEVEL_TAG = re.compile(r"\((类|款|项)\)")
QUOTES = re.compile(r"[“”\"‘’'「」『』]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def norm_name(text: str) -> str:
    """A metric name as we compare it: half-width, no spaces or quotes, no list numbering,
    no （类）/（款）/（项） tags. `一、一般公共预算拨款收入` → `一般公共预算拨款收入`."""
    s = unicodedata.normalize("NFKC", text or "")
    s = _SPACES.sub("", s)
    s = QUOTES.sub("", s)
    s = strip_list_number(s)
    s = LEVEL_TAG.sub("", s)
    return s.replace("的", "").lower()
