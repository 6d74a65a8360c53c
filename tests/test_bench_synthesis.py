"""The benchmark's synthetic budgets (index.bench.synthesis) are real budgets in another
department's name: a parsed template perturbed, the same for a given i, answering a real
question with the scaled figure and the new name."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

import corpus
from conftest import PDF_DIR
from index.bench.synthesis import department, factor, scale, synthetic_corpus, synthetic_document, year
from index.config import IndexConfig
from index.store import build_index
from qa import Engine

WANLI = PDF_DIR / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf"


def test_synthesis_is_deterministic_and_scales_the_seed(seed_doc, tmp_path):
    a = synthetic_document(seed_doc, 17, tmp_path / "17.budget")
    assert a == synthetic_document(seed_doc, 17, tmp_path / "17.budget")  # the same for a given i
    assert (a.department, a.year, a.doc_id) == ("示例市第17局", 2025, "17")
    assert a.title == "示例市第17局 2025 年部门预算"
    reception = a.table("附表7").rows[0].cell("公务接待费")
    assert factor(17) == D("1.283")
    assert (reception.raw, reception.value) == ("0.64", D("0.64"))  # 0.50 × 1.283, to the printed cents
    assert a.table("附表5").row("2010302").value("基本支出", "公用经费") == D("300.72")  # 234.39 × 1.283
    b = synthetic_document(seed_doc, 18, tmp_path / "18.budget")
    assert b.department == "示例市第18局" and b.year == 2020 and factor(18) != factor(17)
    assert "武汉经济技术开发区智能制造产业园管理办公室" not in " ".join(p.text for p in a.paragraphs)


@pytest.fixture(scope="module")
def wanli_engine(tmp_path_factory):
    """The 万里街道 PDF's parsed document as synthetic budget 1 (示例市第1局, 2021), indexed alone."""
    folder = tmp_path_factory.mktemp("synthetic")
    wanli = corpus.load(WANLI)
    parsed = synthetic_corpus([wanli, wanli], range(1, 2), folder)  # document 1 takes template 1
    build_index(list(parsed), folder / "index", IndexConfig.from_env(), parsed=parsed, show_bars=False)
    return Engine(folder / "index")


@pytest.mark.parametrize("question,real,unit", [
    ("公务接待费是多少", "1.35", "万元"),          # printed with decimals
    ("收入总计是多少", "156211123", "元"),        # a yuan table prints whole amounts: scaled too
])
def test_a_pdf_template_answers_with_the_scaled_figure_and_the_new_name(wanli_engine, question, real, unit):
    a = wanli_engine.answer(f"{department(1)}{year(1)}年{question}")
    assert (a.kind, a.unit) == ("lookup", unit)
    assert a.value == scale(D(real), factor(1), whole=True) != D(real)
    assert [b.department for b in a.budgets] == ["示例市第1局"] and a.budgets[0].year == 2021
    assert "示例市第1局 2021 年部门预算" in a.answer


def test_the_template_department_is_gone(wanli_engine):
    a = wanli_engine.answer("上海市普陀区人民政府万里街道办事处2024年公务接待费是多少")
    assert a.value is None
