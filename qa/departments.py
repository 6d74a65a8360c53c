"""Which loaded department a question names, in the forms people use.

Deterministic and explained: every department's full name is expanded into the names people
write for it by a few known rules — a region in full, shortened (江苏, 普陀) or as a level word
(省, 区), or left out; 中共 and 人民 left out; 办公室、办公厅 → 办 or left out (江苏政协), 委员会 → 委, 高级人民法院 → 高院/法院;
人民政府X街道办事处 → X街道; X政协 ↔ 政协X委员会 — and the tail of a name from an organisation word on
(社会福利院 → 福利院). The longest variant written in the question wins; two departments whose
best variants are equally long are both returned, so the caller answers per document or asks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from corpus.organisations import NAME_WORD

_REGION = re.compile(
    r"^(?P<province>[^省市区县]{2,7}?(?:省|自治区)|北京市|上海市|天津市|重庆市)?"
    r"(?P<city>[^省市区县]{2,6}?市)?"
    r"(?P<district>[^省市区县]{1,8}?(?:区|县|开发区|新区))?"
)
# A department's own words, longest first, each with the short forms people write.
_WORD_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("高级人民法院", ("高级法院", "高院", "法院")),
    ("中级人民法院", ("中级法院", "中院", "法院")),
    ("人民法院", ("法院",)),
    ("人民检察院", ("检察院",)),
    ("人民政府", ("政府",)),
    ("常务委员会", ("常委会",)),
    ("人大常委会", ("人民代表大会常务委员会", "人大")),  # the long form is what the name abbreviates
    ("委员会", ("委",)),
    # 江苏政协 / 江苏人大 for the 办公厅 that publishes the budget of the 政协 / 人大常委会
    ("办公室", ("办", "")),
    ("办公厅", ("办", "")),
    ("办事处", ("办", "")),
)


@dataclass(frozen=True)
class DepartmentMatch:
    department: str
    written: str      # the words of the question that name it
    rule: str         # how those words were derived from the full name

    @property
    def strength(self) -> int:
        return len(self.written)

    def explain(self) -> str:
        """`“省法院”指江苏省高级人民法院（级别简称、高级人民法院→法院）`."""
        if self.written == self.department:
            return f"“{self.written}”（全称）"
        return f"“{self.written}”指{self.department}（{self.rule}）"


def _region_forms(region: str, m: re.Match[str]) -> list[tuple[str, str]]:
    forms = [(region, "全称")]
    parts = [p for p in (m.group("province"), m.group("city"), m.group("district")) if p]
    if parts:
        last = parts[-1]
        forms.append((last, "略去上级地名"))
        short = re.sub(r"(?:省|市|区|县|自治区)$", "", last)
        if len(short) >= 2:
            forms.append((short, "地名简称"))
        level = "区" if last.endswith(("区", "开发区", "新区")) else last[-1]
        forms.append((level, "级别简称"))
    forms.append(("", "略去地名"))
    return forms


def _core_forms(core: str) -> list[tuple[str, str]]:
    """The department's own words with each known short form applied (all combinations)."""
    forms = {core: "全称"}
    for long, shorts in _WORD_FORMS:
        for text, rule in list(forms.items()):
            if long in text:
                for short in shorts:
                    forms.setdefault(text.replace(long, short), f"{rule}+{long}→{short or '略'}".removeprefix("全称+"))
    # 人民政府万里街道办事处 → 万里街道(办): the part of a 街道/镇 office people say.
    for text, rule in list(forms.items()):
        m = re.search(r"([^政府]{1,6}(?:街道|镇|乡))(办事处|办)?", text)
        if m and m.group(0) != text:
            for said in (m.group(1), m.group(1) + "办", m.group(1) + "办事处"):
                forms.setdefault(said, f"{rule}+街道简称".removeprefix("全称+"))
    # Tails of the printed name: 社会福利院 → 福利院, 规划和自然资源局 → 资源局 (three characters
    # at least, never cutting into a word that has its own short forms, such as 高级人民法院).
    inside = {i for long, _ in _WORD_FORMS for m in re.finditer(long, core) for i in range(m.start() + 1, m.end())}
    for i in range(1, len(core) - 2):
        if i not in inside:
            forms.setdefault(core[i:], "后段")
    return [(t, r) for t, r in forms.items() if t]


# 中国人民政治协商会议江苏省委员会 = 政协江苏省委员会 = 江苏省政协: the standard short form of a
# CPPCC committee puts the region first, as 中共江苏省委 → 江苏省委 does for a party committee.
_CPPCC_LONG = ("中国人民政治协商会议", "政协")
_CPPCC = re.compile(r"^(?:中国人民政治协商会议|政协)(?P<region>[^委]{2,12}?(?:省|自治区|市|区|县))委员会(?P<rest>.*)$")


def _cppcc_forms(region_text: str, core_text: str) -> list[tuple[str, str]]:
    """江苏省 + 政协办公厅 → 政协江苏省委员会办公厅, 中国人民政治协商会议江苏省委员会办公厅."""
    if len(region_text) < 2 or not core_text.startswith("政协"):
        return []
    return [(long + region_text + "委员会" + core_text[2:], "X政协→政协X委员会") for long in _CPPCC_LONG]


@lru_cache(maxsize=4096)
def name_variants(department: str) -> tuple[tuple[str, str], ...]:
    """Every written form of a department's name with the rule that gives it, longest first."""
    cppcc = _CPPCC.match(department)
    if cppcc:  # printed in the long form: its variants are those of the short one, and it
        short = cppcc.group("region") + "政协" + cppcc.group("rest")
        return tuple(sorted({**dict(name_variants(short)), department: "全称", short: "政协X委员会→X政协"}.items(),
                            key=lambda kv: (-len(kv[0]), kv[0])))
    name = department.removeprefix("中共")
    m = _REGION.match(name)
    region = m.group(0) if m else ""
    core = name[len(region):]
    if not core:
        return ((department, "全称"),)
    party = department.startswith("中共")
    variants: dict[str, str] = {department: "全称"}
    for region_text, region_rule in _region_forms(region, m) if region and m else [("", "")]:
        for core_text, core_rule in _core_forms(core):
            for prefix in (("中共", "") if party else ("",)):
                text = prefix + region_text + core_text
                if len(text) >= 2:
                    rule = "、".join(r for r in (region_rule, core_rule, "略去中共" if party and not prefix else "") if r and r != "全称")
                    variants.setdefault(text, rule or "全称")
            for text, rule in _cppcc_forms(region_text, core_text):
                variants.setdefault(text, "、".join(r for r in (region_rule, core_rule, rule) if r and r != "全称"))
    # 中共上海市普陀区委社会工作部: 区委 belongs to the region in speech ("普陀区委社会工作部").
    return tuple(sorted(variants.items(), key=lambda kv: (-len(kv[0]), kv[0])))


_MIN_OVERLAP = 4  # shorter shared runs (预算, 部门, 办公) say nothing about a department


def _longest_common_run(a: str, b: str) -> str:
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


def _core(name: str) -> str:
    """A name without its region (上海市普陀区人民政府办公室 → 人民政府办公室)."""
    name = name.removeprefix("中共")
    m = _REGION.match(name)
    return name[m.end():] if m else name


def _in_order(short: str, name: str) -> bool:
    """规划资源局 in 规划和自然资源局: every character, in order (how abbreviations are made)."""
    rest = iter(name)
    return all(ch in rest for ch in short)


def org_phrases(question: str) -> list[str]:
    """The phrases of a question that end like an organisation's name (万里街道, 南京市中级人民法院)."""
    text = OPENERS.sub("", re.sub(r"\s+", "", question))
    out: list[str] = []
    for run in re.split("[" + re.escape("".join(sorted(_BOUNDARY))) + "]+", text):
        # every phrase up to an organisation word, longest first: 普陀区规划资源局城乡社区支出
        # names 普陀区规划资源局 (the 社 of 城乡社区 is not the end of a name)
        out.extend(run[:end] for end in sorted({m.end() for m in NAME_WORD.finditer(run)}, reverse=True) if end >= 2)
    return out


def match_departments(question: str, departments: Iterable[str]) -> list[DepartmentMatch]:
    """The departments the question names: those whose longest written variant is the longest
    found, one if unique, several when equally good. Failing any variant, a phrase of the
    question that ends like an organisation links to the department whose name holds its
    characters in order (规划资源局, 社工部) or shares most of it (智能制造产业园)."""
    text = re.sub(r"\s+", "", question)
    return _by_variants(text, departments) or _by_phrase(org_phrases(text), departments)


@lru_cache(maxsize=65536)
def _core_pairs(name: str) -> frozenset[str]:
    """The character pairs of a name without its region: two names that share no pair share
    no run of 4 (checked first: a thousand departments are a thousand runs to look for)."""
    core = _core(name)
    return frozenset(core[i:i + 2] for i in range(len(core) - 1))


def _by_phrase(phrases: list[str], departments: Iterable[str]) -> list[DepartmentMatch]:
    best: list[DepartmentMatch] = []
    for phrase in phrases:
        pairs = _core_pairs(phrase)
        for department in sorted(set(departments)):
            if _in_order(phrase, department) and phrase[-1] == department[-1]:
                found = DepartmentMatch(department, phrase, "按字序简称")
            elif pairs.isdisjoint(_core_pairs(department)):
                continue
            else:  # the shared run must be the department's own words, not its region
                run = _longest_common_run(_core(phrase), _core(department))
                if len(run) < _MIN_OVERLAP or len(run) * 4 < len(phrase) * 3:
                    continue
                found = DepartmentMatch(department, run, "字符重叠")
            if not best or found.strength > best[0].strength:
                best = [found]
            elif found.strength == best[0].strength and found.department not in {b.department for b in best}:
                best.append(found)
    return best


# Words that open a question or join it to a name; what stands between them and a name is part of
# the name (南京市中级人民法院 is not 江苏省高级人民法院's 法院).
OPENERS = re.compile(r"^(?:请问|我想(?:知道|了解|问问?)|帮我(?:查|看)(?:一下)?|查询|查一下|告诉我|按照?|根据|依据|关于|对于)+")
_BOUNDARY = set("的年度按据于和与及、，,。？?：:（）()“”\"《》 ") | set("0123456789")


def _named_alone(text: str, start: int) -> bool:
    """Whether the words right before `start` end a phrase (so the variant is the whole name)."""
    return start == 0 or text[start - 1] in _BOUNDARY


def _pairs(written: str) -> set[str]:
    return {written[i:i + 2] for i in range(len(written) - 1)} or {written}


@lru_cache(maxsize=8)
def _written_keys(departments: frozenset[str]) -> dict[str, frozenset[str]]:
    """Each written form of each department filed under its rarest character pair (its one
    character, for a one-character form) → those departments. A form is in a text only where
    all its pairs are, so a question is compared with the few departments it can name, not
    with every loaded one (10,000 departments took ~120 ms a question); the rarest pair, since
    departments share their region (上海市普陀区…, 示例市第…)."""
    forms = [(department, written) for department in departments for written, _ in name_variants(department)]
    counts = Counter(pair for _, written in forms for pair in _pairs(written))
    keys: dict[str, set[str]] = {}
    for department, written in forms:
        keys.setdefault(min(_pairs(written), key=lambda pair: (counts[pair], pair)), set()).add(department)
    return {key: frozenset(named) for key, named in keys.items()}


def _by_variants(text: str, departments: Iterable[str]) -> list[DepartmentMatch]:
    text = OPENERS.sub("", text)
    keys = _written_keys(frozenset(departments))
    candidates = {d for i in range(len(text)) for piece in (text[i], text[i:i + 2]) for d in keys.get(piece, ())}
    best: list[DepartmentMatch] = []
    for department in sorted(candidates):
        written_at = [(written, rule, at) for written, rule in name_variants(department)
                      if (at := _alone_at(text, written)) >= 0]
        if not written_at:
            continue
        # the longest variant written; of two as long, the one said first ("江苏高院…江苏法院云平台
        # 租赁费": the 江苏法院 inside the item's name is not the department)
        written, rule, _ = min(written_at, key=lambda w: (-len(w[0]), w[2]))
        found = DepartmentMatch(department, written, rule)
        if not best or found.strength > best[0].strength:
            best = [found]
        elif found.strength == best[0].strength:
            best.append(found)
    return best


def _alone_at(text: str, written: str) -> int:
    """Where `written` first stands as a whole name in the text, -1 if nowhere."""
    at = text.find(written)
    while at >= 0 and not _named_alone(text, at):
        at = text.find(written, at + 1)
    return at
