"""How the name of an organisation ends (…局, …办公厅, …人民法院, …街道办事处): the one place the
document's identity (`corpus.identity`) and the question's department links (`qa.departments`,
`qa.scope`, `qa.totals`) read it from.

Each reader needs a slightly different test — a whole name, every place a phrase could end as
a name, the name a question opens with — so each has its own pattern, all built from the same
words.
"""

from __future__ import annotations

import re

from .text import HAN

# Words that end a name, longest forms first where one holds another (办公厅 before 厅).
ORG_WORDS = ("办公厅", "办公室", "办事处", "委员会", "常委会", "法院", "检察院", "政府", "中心", "街道")
# Single characters that end a name (财政局, 经委, 省人大常委会办公厅, 社工部, 福利院 …).
ORG_CHARS = "局厅委部院署所站馆校会社队处园"
_WORDS = "|".join(ORG_WORDS)

# A department's whole name, as a document prints it; a town (镇, 乡) is one too.
NAME_END = re.compile(rf"(?:{_WORDS}|[{ORG_CHARS}镇乡])$")

# Every place a phrase of a question can end as a name, the short 办 of 办公室 too (区政府办).
NAME_WORD = re.compile(rf"(?:{_WORDS}|[{ORG_CHARS}办])")

# The last character of a short name as people write it (经委, 财政局, 区府办, 万里街道).
SHORT_NAME_LAST = ORG_CHARS + "办室心府道"

# The words before a year that name the budget's owner, its level (本级) or just "the unit"
# (商务委本级2025年…, 该单位2024年…).
OWNER_END = re.compile(r"(院|局|委|厅|办|室|街道|委员会|政府|中心|部|处|所|站|馆|会|校|园|本级|单位|部门)$")

# An organisation a question opens with (武汉经开区教育局2024年…): the shortest run of Chinese
# characters (never across 的/之) that ends with one of these words.
OPENING_NAME = re.compile(rf"^(?:请问)?((?:(?![的之])[{HAN}]){{2,}}?"
                          r"(?:局|委员会|办公室|办事处|街道|法院|检察院|医院|学校|大学|中心|公司|管委会|政府|厅))")


def ends_like_organisation(text: str) -> bool:
    """Whether a phrase ends like an organisation's short name (经委, 财政局, 办公厅)."""
    return bool(text) and text[-1] in SHORT_NAME_LAST
