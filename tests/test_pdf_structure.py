"""Structures seen in the two real PDFs beyond the seed's template."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

import corpus
from conftest import PDF_DIR


@pytest.fixture(scope="module")
def fayuan():
    return corpus.load(PDF_DIR / "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf")


@pytest.fixture(scope="module")
def wanli():
    return corpus.load(PDF_DIR / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf")


def test_three_blocks_side_by_side_become_three_tables(fayuan):
    # 公开01表 prints 收入 | 支出 by 功能分类 | 支出 by 用途 next to each other
    keys = [t.key for t in fayuan.tables if t.id == "公开01表"]
    assert keys == ["公开01表/收入", "公开01表/支出 / 功能分类", "公开01表/支出 / 支出用途"]
    use = fayuan.table("公开01表/支出 / 支出用途")
    assert use.row("一、基本支出").value("金额") == D("21968.00")
    assert use.row("二、项目支出").value("金额") == D("10208.94")
    # the total label is printed once across both 支出 blocks
    assert use.row("当年支出小计").value("金额") == D("37188.34") and use.row("当年支出小计").is_total
    assert fayuan.table("公开01表/支出 / 功能分类").row("四、公共安全支出").value("金额") == D("27488.23")


def test_label_columns_as_an_outline(fayuan):
    table = fayuan.table("公开02表")
    child = table.row("公共财政拨款（补助）资金")
    assert child.level == 2 and table.row_by_id(child.parent).label == "一般公共预算资金"
    assert table.row("收入总计").is_total


@pytest.mark.parametrize("name", ["fayuan", "wanli"])
def test_real_documents_add_up(request, name):
    doc = request.getfixturevalue(name)
    assert [f.message for f in doc.findings if f.severity == "error"] == []
