"""Stock dates: the day a figure is counted on ("截至2022年12月31日，本部门共有车辆7辆").

A budget states its assets (车辆, 设备, 固定资产) at a day before the budget year — a 2025
budget counts them "截至2024年8月31日" — so the year of such a date is not the budget's year.
Facts carry the date they are stated at (`Fact.as_of`) and qa asks for the same date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "截至2022年12月31日", "截止 2024 年 8 月 31 日", "截至2022年底", "2022年末"
_STOCK_DATE = re.compile(
    r"(?:(?:截至|截止)(?:到|于)?\s*(?P<year>(?:19|20)\d{2})\s*年\s*"
    r"(?:(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日)?|(?P<end>年?底|年?末))?"
    r"|(?P<eyear>(?:19|20)\d{2})\s*年\s*(?:底|末)(?!级))")


@dataclass(frozen=True)
class StockDate:
    iso: str    # "2022-12-31", "2024-08", "2022"
    start: int  # where the words that say it are in the text
    end: int

    @property
    def year(self) -> int:
        return int(self.iso[:4])


def stock_dates(text: str) -> list[StockDate]:
    """Every stock date the text states, in order."""
    out = []
    for m in _STOCK_DATE.finditer(text):
        year = m.group("year") or m.group("eyear")
        if m.group("month"):
            iso = f"{year}-{int(m.group('month')):02d}" + (f"-{int(m.group('day')):02d}" if m.group("day") else "")
        elif m.group("end") or m.group("eyear"):
            iso = f"{year}-12-31"  # 年底 / 年末: the last day of the year
        else:
            iso = year
        out.append(StockDate(iso, m.start(), m.end()))
    return out


def same_day(asked: str, stated: str) -> bool:
    """Whether a date a question asks for is the date a figure is stated at: the same day,
    or the one is the other said less precisely (截至2024年8月 ~ 2024-08-31)."""
    return bool(asked) and bool(stated) and (stated.startswith(asked) or asked.startswith(stated))
