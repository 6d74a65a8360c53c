"""The national standard codes: 功能分类 (类/款/项: 3/5/7 digits, 2xx…) and 经济分类
(301/30101 …), with their standard names, shipped as data in `corpus/standards/` and grown
from the documents (`variants`: other names documents print for the same code).

A document's printed name always wins. The standard name is another name of a row only when
the printed name is one of its known variants or shares most of its characters with it:
codes were renumbered over the years (30311 was 住房公积金 before 2018 and 代缴社会保险费
after), so a code alone never renames a row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

STANDARDS = Path(__file__).resolve().parent / "standards"
_BRACKETS = str.maketrans("()", "（）")


@dataclass(frozen=True)
class StandardCode:
    code: str
    name: str
    variants: tuple[str, ...]
    scheme: str  # "functional" (功能分类) or "economic" (经济分类)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,) + self.variants


@lru_cache(maxsize=1)
def standard_codes() -> dict[str, StandardCode]:
    out: dict[str, StandardCode] = {}
    for scheme in ("functional", "economic"):
        data = json.loads((STANDARDS / f"{scheme}.json").read_text(encoding="utf-8"))
        for code, entry in data.items():
            if code.startswith("_"):
                continue
            out[code] = StandardCode(code, entry["name"], tuple(entry.get("variants", ())), scheme)
    return out


def standard(code: str) -> StandardCode | None:
    """The standard entry of a printed code (`212 01 01`, `2120101`), if the tables know it."""
    return standard_codes().get(re.sub(r"\s+", "", code or ""))


def _plain(name: str) -> str:
    return re.sub(r"[\s“”\"]", "", name).translate(_BRACKETS)


def is_variant(printed: str, standard_name: str) -> bool:
    """The printed name and the standard name name the same thing: equal, a listed variant,
    or most characters in common (一般行政事务管理 / 一般行政管理事务, 公务用车运行费 /
    公务用车运行维护费) — never two different items that share a code across editions."""
    a, b = _plain(printed), _plain(standard_name)
    if not a or not b:
        return False
    if a == b:
        return True
    common = sum(min(a.count(c), b.count(c)) for c in set(a))
    return common >= 0.75 * max(len(a), len(b)) and common >= 4


def standard_names(code: str, printed: str) -> tuple[str, ...]:
    """Names a row printed as (code, printed) also goes by: the standard name and its
    variants, when the printed name is one of them; else none."""
    entry = standard(code)
    if entry is None:
        return ()
    if not any(is_variant(printed, n) for n in entry.names):
        return ()
    return tuple(n for n in entry.names if _plain(n) != _plain(printed))


def code_for_name(name: str) -> tuple[str, ...]:
    """The codes whose standard name or a variant is exactly `name`."""
    plain = _plain(name)
    return tuple(c.code for c in standard_codes().values() if plain in (_plain(n) for n in c.names))


# "城乡社区支出（类）城乡社区管理事务（款）行政运行（项）": a 功能分类 item named by its levels
_ITEM_LEVELS = re.compile(r"(?:([^（）()，,。；;、\s\d.]+?)[（(]类[)）])?([^（）()，,。；;、\s\d.]+?)[（(]款[)）]"
                          r"(?:([^（）()，,。；;、\s\d.]+?)[（(]项[)）])?")


def also_named(name: str) -> tuple[str, ...]:
    """The other names of the code(s) whose standard name or a variant is exactly `name`
    (机关事业单位职业年金缴费支出 is also 职业年金缴费支出)."""
    plain = _plain(name)
    return tuple(n for c in code_for_name(name) for n in standard_codes()[c].names if _plain(n) != plain)


def item_code(text: str) -> str | None:
    """The 功能分类 code of the last item `text` names by its levels (…（类）…（款）…（项）),
    when the standard catalogue knows exactly one: 法院（款）行政运行（项） → 2040501. Names
    alone are ambiguous (行政运行 is the 项 of many 款); the 款 settles it."""
    found = list(_ITEM_LEVELS.finditer(_plain(text)))
    if not found:
        return None
    klass, kuan, xiang = found[-1].groups()
    codes = [c for c in code_for_name(kuan)
             if len(c) == 5 and (not klass or any(n.startswith(klass) for n in _names_of(c[:3])))]
    if xiang:
        codes = [c + tail[5:] for c in codes for tail in code_for_name(xiang) if len(tail) == 7 and tail[:5] == c]
    return codes[0] if len(codes) == 1 else None


def _names_of(code: str) -> tuple[str, ...]:  # 公共安全（类） is printed for 公共安全支出
    entry = standard(code)
    return tuple(_plain(n) for n in entry.names) if entry else ()
