"""Acceptance: real published PDF budgets through `corpus.load`, checked against the
figures printed in them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import corpus
from corpus.model import Row, Table

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
WANLI = FIXTURES / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf"
FAYUAN = FIXTURES / "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf"


@pytest.fixture(scope="module")
def wanli() -> corpus.BudgetDocument:
    return corpus.load(WANLI)


@pytest.fixture(scope="module")
def fayuan() -> corpus.BudgetDocument:
    return corpus.load(FAYUAN)


def titled(doc: corpus.BudgetDocument, words: str) -> Table:
    found = [t for t in doc.tables if words in t.title]
    assert found, f"no table titled …{words}…; titles: {[t.display_title for t in doc.tables]}"
    return found[0]


def value_under(row: Row, words: str) -> Decimal | None:
    """The value in the column whose last header contains `words`."""
    cells = [c for c in row.cells if c.column and words in c.column[-1]]
    assert len(cells) == 1, f"{len(cells)} columns named …{words}…: {[c.column for c in row.cells]}"
    return cells[0].value


def paragraph_text(doc: corpus.BudgetDocument) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


# --- 上海市普陀区万里街道 2024 (tables in 元, the “三公” table in 万元) -------------------------


def test_wanli_title(wanli):
    assert wanli.department == "上海市普陀区人民政府万里街道办事处"
    assert wanli.year == 2024
    assert wanli.doc_type == "预算"


def test_wanli_sangong(wanli):
    t = titled(wanli, "三公")
    assert t.unit == "万元"
    row = t.rows[0]
    assert row.value("合计") == Decimal("47.91")
    assert row.value("因公出国(境)费") == Decimal("0")
    assert row.value("公务接待费") == Decimal("1.35")
    assert row.value("公务用车购置及运行费", "小计") == Decimal("46.56")
    assert row.value("公务用车购置及运行费", "购置费") == Decimal("25")
    assert row.value("公务用车购置及运行费", "运行费") == Decimal("21.56")
    assert value_under(row, "机关运行经费") == Decimal("443.18")
    assert all(c.unit == "万元" for c in row.cells)
    assert not t.empty  # the stray "故本表为空表" note under it is wrong


def test_wanli_empty_tables(wanli):
    t = titled(wanli, "政府性基金预算支出")
    assert t.empty and t.unit == "元"
    assert all(c.value is None for r in t.rows for c in r.cells)


def test_wanli_total_income_in_yuan(wanli):
    summary = titled(wanli, "财务收支预算总表")
    assert summary.unit == "元"
    assert summary.row("收入总计").value("预算数") == Decimal("156211123")


def test_wanli_income_table_over_five_pages(wanli):
    t = titled(wanli, "收入预算总表")
    assert t.unit == "元"
    assert {r.location.page for r in t.rows} == {11, 12, 13, 14, 15}
    total = t.row("合计")
    assert total.is_total and total.location.page == 15
    assert total.value("收入预算", "合计") == Decimal("156211123")
    assert t.row("2010507").value("收入预算", "合计") == Decimal("257700")


def test_wanli_narrative(wanli):
    text = paragraph_text(wanli)
    assert "2024年“三公”经费预算数为47.91万元" in text
    assert "机关运行经费预算为443.18万元" in text
    assert len(wanli.paragraphs) >= 20


# --- 江苏省高级人民法院 2019 (公开01–12表, 万元) -----------------------------------------------


def test_fayuan_title(fayuan):
    assert fayuan.department == "江苏省高级人民法院"
    assert fayuan.year == 2019
    assert fayuan.doc_type == "预算"


def test_fayuan_table09(fayuan):
    t = fayuan.table("公开09表")
    assert t is not None and "三公" in t.title
    assert t.unit == "万元"
    row = t.rows[0]
    assert row.value("合计") == Decimal("2382.02")
    assert row.value("“三公”经费", "小计") == Decimal("513.75")
    assert row.value("因公出国（境）费") == Decimal("160.00")
    assert row.value("公务接待费") == Decimal("86.95")
    assert row.value("会议费") == Decimal("271.02")
    assert row.value("培训费") == Decimal("1597.25")
    assert row.cell("培训费").raw == "1,597.25"


def test_fayuan_all_twelve_tables(fayuan):
    ids = [t.id for t in fayuan.tables]
    assert [f"公开{n:02d}表" for n in range(1, 13)] == sorted(set(ids))
    assert all(t.unit == "万元" for t in fayuan.tables)


def test_fayuan_narrative(fayuan):
    text = paragraph_text(fayuan)
    assert "江苏省高级人民法院是国家审判机关" in text
    assert "苏财预〔2019〕7号" in text.replace(" ", "")
    assert len(fayuan.paragraphs) >= 20
