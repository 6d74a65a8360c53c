"""Whose budget, which year, what kind: read from the document's own words.

Evidence, strongest first: a caption that names the department (预算主管部门：/预算单位：/
部门名称：/编制单位：/部门：, its value on the same or the next line), the cover title (the lines
before 目录, joined: covers break names across lines — "2018 年度江苏省高级" / "人民法院预算公开"),
the headings of the narrative ("第一部分 XX概况", "XX2019年部门预算情况说明"), and only then the
file name, which is reported as a finding because a file name is what a publisher does not check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .organisations import NAME_END


class DocKind(StrEnum):
    """The four kinds of publication, by scope (部门 = a department with its units, 单位 = one
    unit) and phase (预算 = the plan, 决算 = the final accounts)."""

    部门预算 = "部门预算"
    单位预算 = "单位预算"
    部门决算 = "部门决算"
    单位决算 = "单位决算"

    @property
    def phase(self) -> str:
        return self.value[2:]

    @property
    def scope(self) -> str:
        return self.value[:2]


@dataclass(frozen=True)
class Identity:
    department: str | None = None
    year: int | None = None
    kind: DocKind | None = None
    level: str | None = None      # 省级 / 市级 / 区级 / 县级
    region: str | None = None     # 江苏省, 上海市普陀区, 武汉经济技术开发区
    guessed: tuple[str, ...] = field(default=())  # fields that only the file name gave

    @property
    def phase(self) -> str | None:
        return self.kind.phase if self.kind else None

    def title(self) -> str | None:
        """`江苏省高级人民法院 2018 年部门预算`: the same words for every file of a publication."""
        if self.department and self.year and self.kind:
            return f"{self.department} {self.year} 年{self.kind.value}"
        return None


_YEAR = r"(?:19|20)\d{2}"
_KIND_WORDS = re.compile(rf"(?P<year>{_YEAR})\s*年度?\s*(?P<level>[省市区县]级)?\s*(?P<scope>部门|单位)?\s*(?P<phase>预算|决算)")
# 预算主管部门：… / 预算单位：… / 部门：… — the department named by a caption.
_CAPTION = re.compile(r"^(?:预算主管部门|主管部门|预算单位|决算单位|部门名称|单位名称|编制单位|编报单位|部门|单位)\s*[:：]\s*(?P<name>.*)$")
_REGION = re.compile(
    r"^(?:中共)?(?P<province>[^省市区县]{2,7}?(?:省|自治区)|北京市|上海市|天津市|重庆市)?"
    r"(?P<city>[^省市区县]{2,6}?市)?"
    r"(?P<district>[^省市区县]{1,8}?(?:区|县|开发区|新区))?"
)
_NOT_COVER = re.compile(r"^(?:目\s*录|第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)")
_DATE = re.compile(rf"{_YEAR}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?")
_PAGE_NUMBER = re.compile(r"^[-—\s\d]*$")
_OVERVIEW = re.compile(r"^第[一二三四五六七八九十]+部分\s*(?P<name>.+?)(?:概况|" + _YEAR + r"\s*年度?)")
_FILE_YEAR = re.compile(rf"(?<!\d)({_YEAR})(?!\d)")
_FILE_UNIT = re.compile(r"danwei|单位预算|单位决算", re.I)
_UNIT_SUFFIX = re.compile(r"\s*(?:金额)?单位\s*[:：].*$")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_organisation(name: str) -> bool:
    """A department's name ends like one (…局, …办公厅, …法院); a bare region (上海市普陀区) does not."""
    return bool(name) and bool(NAME_END.search(name)) and not _is_region_only(name)


def _is_region_only(name: str) -> bool:
    m = _REGION.match(name)
    return m is not None and m.end() == len(name)


def cover_text(lines: Sequence[str]) -> str:
    """The cover's lines joined without spaces: everything before 目录 or the first heading,
    less dates and page numbers."""
    out = []
    for line in lines[:12]:
        text = _compact(line)
        if _NOT_COVER.match(text):
            break
        if _PAGE_NUMBER.match(text) or _CAPTION.match(text):
            continue
        out.append(_DATE.sub("", text))
    return "".join(out)


def captioned_department(lines: Sequence[str]) -> str | None:
    """The first caption that names an organisation, its value on the same or the next line."""
    for i, line in enumerate(lines):
        m = _CAPTION.match(line.strip())
        if not m:
            continue
        name = _compact(_UNIT_SUFFIX.sub("", m.group("name")))
        if not name and i + 1 < len(lines):
            name = _compact(_UNIT_SUFFIX.sub("", lines[i + 1]))
        if is_organisation(name):
            return name
    return None


def parse_title(title: str) -> tuple[str | None, int | None, str | None, str | None, str | None]:
    """`2018年度江苏省高级人民法院预算公开` → (江苏省高级人民法院, 2018, None, 预算, None);
    `上海市普陀区2025年区级单位预算` → (上海市普陀区, 2025, 单位, 预算, 区级).
    Returns (name, year, scope, phase, level); the name may be a bare region."""
    text = _compact(title)
    m = _KIND_WORDS.search(text)
    if m:
        before, after = text[:m.start()], text[m.end():]
        return (before or _strip_kind(after) or None, int(m.group("year")), m.group("scope"),
                m.group("phase"), m.group("level"))
    y = re.search(rf"({_YEAR})\s*年度?", text)
    phase = "决算" if "决算" in text else "预算" if "预算" in text else None
    scope = "单位" if re.search(r"单位(?:预算|决算)", text) else "部门" if re.search(r"部门(?:预算|决算)", text) else None
    if y:
        rest = text[:y.start()] or _strip_kind(text[y.end():])
        return rest or None, int(y.group(1)), scope, phase, None
    return None, None, scope, phase, None


def _strip_kind(text: str) -> str:
    """`江苏省高级人民法院预算公开` → `江苏省高级人民法院`."""
    return re.sub(r"(?:[省市区县]级)?(?:部门|单位)?(?:预算|决算)(?:公开|表|情况说明)?.*$", "", text)


def region_of(department: str) -> tuple[str | None, str | None]:
    """(region, level) from the front of a department's name: 江苏省… → (江苏省, 省级);
    上海市普陀区… → (上海市普陀区, 区级); 武汉经济技术开发区… → (武汉经济技术开发区, 区级)."""
    m = _REGION.match(department)
    if not m or not m.group(0).removeprefix("中共"):
        return None, None
    region = m.group(0).removeprefix("中共")
    if m.group("district"):
        level = "县级" if region.endswith("县") else "区级"
    elif m.group("city") or region in ("北京市", "上海市", "天津市", "重庆市"):
        level = "市级"
    else:
        level = "省级"
    return region, level


def from_file_name(stem: str) -> tuple[int | None, str | None]:
    """The year and phase a file name suggests (`…_2019_bumen_yusuan` → 2019, 预算)."""
    y = _FILE_YEAR.search(stem)
    low = stem.lower()
    phase = "决算" if ("juesuan" in low or "决算" in stem) else "预算" if ("yusuan" in low or "预算" in stem or "budget" in low) else None
    return (int(y.group(1)) if y else None), phase


def identify(lines: Sequence[str], headings: Sequence[str] = (), file_stem: str = "") -> Identity:
    """Department, year, kind, level and region of one file, from its text lines (cover first,
    table captions included) and its narrative headings; the file name fills what is left."""
    cover = cover_text(lines)
    name, year, scope, phase, level = parse_title(cover) if cover else (None, None, None, None, None)
    department = name if name and is_organisation(name) else None
    caption = captioned_department(lines[:400])
    if caption and (department is None or caption.endswith(department) or len(caption) > len(department)):
        department = caption  # the cover names the district only, or an abbreviation
    if department is None:
        for heading in headings:
            m = _OVERVIEW.match(_compact(heading))
            if m and is_organisation(m.group("name")):
                department = m.group("name")
                break
    if year is None or phase is None:
        for text in list(headings) + list(lines[:400]):
            _n, y, s, p, lv = parse_title(text)
            if y and p:
                year, scope, phase, level = year or y, scope or s, phase or p, level or lv
                break
    guessed: list[str] = []
    file_year, file_phase = from_file_name(file_stem)
    if year is None and file_year:
        year, guessed = file_year, guessed + ["year"]
    if phase is None and file_phase:
        phase, guessed = file_phase, guessed + ["kind"]
    if scope is None and caption_says_unit(lines):
        scope = "单位"
    if scope is None and phase and _FILE_UNIT.search(file_stem):
        scope, guessed = "单位", guessed + ["scope"]
    scope = scope or "部门"  # a publication that does not say is a department's (the usual case)
    kind = DocKind(scope + phase) if phase else None
    region, name_level = region_of(department) if department else (None, None)
    return Identity(department, year, kind, level or name_level, region, tuple(guessed))


def caption_says_unit(lines: Sequence[str]) -> bool:
    return any(_compact(line).startswith(("预算单位：", "预算单位:")) for line in lines[:10])


_GUESS_WORDS = {"year": "年度", "kind": "预算/决算", "scope": "部门/单位"}


def guess_messages(ident: Identity, file_name: str) -> list[str]:
    """One sentence per field the content did not give and the file name did: a file name is
    what a publisher does not check, so staff should confirm it."""
    values = {"year": f"{ident.year} 年", "kind": ident.kind.value if ident.kind else "",
              "scope": ident.kind.scope if ident.kind else ""}
    return [f"文件内容中没有读到{_GUESS_WORDS[g]}，按文件名“{file_name}”推定为{values[g]}，请核对"
            for g in ident.guessed]
