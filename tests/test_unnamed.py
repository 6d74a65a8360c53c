"""A question that does not say which budget (qa.unnamed), answered from a fact store alone
(`qa.engine.answer_from`, no search index): over one budget it gets that budget's figure; over
more than MANY_BUDGETS budgets that all hold the item, the question back with their count;
over many budgets of which one holds the item, that budget's figure exactly as over it alone."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus
from conftest import PDF_DIR, SEED
from corpus.facts import document_facts
from index.bench.synthesis import department, factor, scale, synthetic_document, year
from index.factstore import FactStore
from qa.engine import answer_from
from qa.factbase import StoredFacts
from qa.unnamed import ASKS_WHICH, MANY_BUDGETS

WANLI = PDF_DIR / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf"
COPIES = MANY_BUDGETS + 1  # the seed as that many departments' budgets: more than MANY_BUDGETS


def _base(path: Path, docs: list[corpus.BudgetDocument]) -> StoredFacts:
    store = FactStore(path)
    for doc in docs:
        store.replace_document(doc, document_facts(doc))
    return StoredFacts(store, {d.doc_id: d for d in store.documents()})


@pytest.fixture(scope="module")
def wanli():
    return corpus.load(WANLI)


@pytest.fixture(scope="module")
def crowd(tmp_path_factory, seed_doc, wanli) -> StoredFacts:
    """The seed as budgets 0..20 of 示例市第i局 (years 2020-2025), and 万里街道's real 2024 budget."""
    folder = tmp_path_factory.mktemp("crowd")
    docs = [synthetic_document(seed_doc, i, folder / f"{i}.budget") for i in range(COPIES)]
    return _base(folder / "facts.sqlite", [*docs, wanli])


def test_one_budget_answers_with_its_figure(tmp_path, seed_doc):
    a = answer_from(_base(tmp_path / "facts.sqlite", [seed_doc]), "公务接待费是多少")
    assert (a.kind, a.value, a.unit) == ("lookup", D("0.50"), "万元")
    assert [b.department for b in a.budgets] == ["武汉经济技术开发区智能制造产业园管理办公室"]


def test_many_budgets_holding_the_item_ask_which_with_their_count(crowd):
    a = answer_from(crowd, "公务接待费是多少")
    assert a.kind == "not_found" and a.value is None and not a.citations
    assert a.reason == f"{ASKS_WHICH}，{COPIES + 1} 份预算都有这一项"
    assert f"已载入的 {COPIES + 1} 份预算中有 {COPIES + 1} 份列有“公务接待费”" in a.answer
    # the most recent year first: 2025 is budget 5's, 11's and 17's (2020 + i mod 6)
    latest = a.answer.split("最近年度的几份：")[1]
    assert latest.startswith(f"{department(11)} 2025 年部门预算；{department(17)} 2025 年部门预算；{department(5)} 2025 年部门预算")
    assert latest.endswith("等。") and "写明部门和年度，例如“示例市第11局2025年公务接待费是多少”" in a.answer


def test_naming_the_budget_still_answers_among_many(crowd):
    a = answer_from(crowd, f"{department(5)}{year(5)}年公务接待费是多少")
    assert a.kind == "lookup" and a.value == scale(D("0.50"), factor(5)) != D("0.50")
    assert [b.department for b in a.budgets] == [department(5)]


def test_an_item_one_budget_holds_answers_as_over_that_budget_alone(crowd, wanli, tmp_path):
    alone = answer_from(_base(tmp_path / "facts.sqlite", [wanli]), "城管执法支出是多少")
    among = answer_from(crowd, "城管执法支出是多少")
    assert alone.kind == "lookup" and alone.value is not None
    assert (among.answer, among.value, among.citations) == (alone.answer, alone.value, alone.citations)
    assert [b.department for b in among.budgets] == ["上海市普陀区人民政府万里街道办事处"]
