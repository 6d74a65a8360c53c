"""Hostile and mistaken uploads through the real engine (issue 11, items 6 and 7): a file that
is not a budget is refused; the same content is "already loaded as …"; the same department,
year and kind asks before replacing; staff can remove a document; a file over the limits is
refused in Chinese; an upload is parsed once."""

from __future__ import annotations

import shutil
from decimal import Decimal as D

import pytest

import corpus
from conftest import DOC_ID, SEED, TITLE, variant
from qa.service import EngineService, InputError, default_engine_factory

OTHER_DEPT = "武汉经济技术开发区示范园管理办公室"


@pytest.fixture()
def service(seed_index, tmp_path) -> EngineService:
    """An engine over a fresh copy of the seed index, with an empty uploads folder."""
    out = tmp_path / "index"
    shutil.copytree(seed_index, out, symlinks=True)
    service = EngineService(default_engine_factory(out), data_dir=tmp_path / "uploads")
    service.engine()
    return service


def doc_ids(service: EngineService) -> list[str]:
    return sorted(d.doc_id for d in service.documents())


def uploaded(service: EngineService) -> list[str]:
    return sorted(p.name for p in service.data_dir.iterdir()) if service.data_dir.exists() else []


def reception(service: EngineService, year: int | None = None) -> D | None:
    return service.ask(f"{year}年的公务接待费是多少" if year else "公务接待费是多少").value


@pytest.mark.parametrize("name, text", [
    ("hello.txt", "hello world\n"),
    ("truncated.txt", SEED.read_text(encoding="utf-8")[:1500]),   # the title and the start of the text, no table
])
def test_a_file_with_no_budget_table_is_refused(service, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        service.add_upload(path, name)
    message = str(refused.value)
    assert message.count(name) == 1 and "没有预算表格" in message and "收支总表" in message and "请" in message
    assert doc_ids(service) == [DOC_ID] and uploaded(service) == []


def test_the_same_content_is_already_loaded(service, tmp_path):
    copy = tmp_path / "copy-of-budget.txt"
    shutil.copy(SEED, copy)
    gbk = tmp_path / "budget-gbk.txt"
    gbk.write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    for path in (copy, gbk):
        result = service.add_upload(path, path.name)
        assert result.outcome == "duplicate" and not result.ok and result.existing.doc_id == DOC_ID
        assert f"已加载为《{TITLE}》" in result.message and path.name in result.message
        assert doc_ids(service) == [DOC_ID] and uploaded(service) == []


def test_the_same_department_year_and_kind_asks_before_replacing(service, tmp_path):
    revised = tmp_path / "revised.txt"
    revised.write_text(SEED.read_text(encoding="utf-8").replace("5.54\t0.00\t5.04\t0.00\t5.04\t0.50",
                                                               "5.64\t0.00\t5.04\t0.00\t5.04\t0.60"), encoding="utf-8")
    asked = service.add_upload(revised, revised.name)
    assert asked.outcome == "confirm" and asked.existing.doc_id == DOC_ID
    assert "替换" in asked.message and f"《{TITLE}》" in asked.message
    assert doc_ids(service) == [DOC_ID] and uploaded(service) == [] and reception(service) == D("0.50")
    done = service.add_upload(revised, revised.name, decision="replace")
    assert done.outcome == "replaced" and done.ok and "已用 revised.txt 替换" in done.message
    assert doc_ids(service) == ["revised"] and uploaded(service) == ["revised.txt"]
    assert reception(service) == D("0.60")


def test_staff_remove_a_document(service, tmp_path, seed_path):
    other = variant(seed_path, tmp_path / "in", "2023_demo-park_budget", OTHER_DEPT, 2023, "0.80")
    assert service.add_upload(other, other.name).outcome == "added"
    assert reception(service, 2023) == D("0.80") and uploaded(service) == [other.name]
    removed = service.remove_document("2023_demo-park_budget")
    assert removed.doc_id == "2023_demo-park_budget"
    assert doc_ids(service) == [DOC_ID] and uploaded(service) == []
    assert reception(service, 2023) is None and reception(service) == D("0.50")
    with pytest.raises(InputError, match="唯一的文档"):
        service.remove_document(DOC_ID)
    with pytest.raises(InputError, match="找不到文档"):
        service.remove_document("no-such-document")
    assert service.add_upload(other, other.name).outcome == "added"   # and it can be added again


def test_a_file_over_the_limits_is_refused_in_chinese(service, tmp_path, seed_path, monkeypatch):
    monkeypatch.setenv("BUDGETQA_MAX_ROWS", "100")
    other = variant(seed_path, tmp_path / "in", "big", OTHER_DEPT, 2023, "0.80")
    with pytest.raises(InputError) as refused:
        service.add_upload(other, other.name)
    message = str(refused.value)
    assert message.count("big.txt") == 1 and "表格行数超过上限" in message and "上限 100 行" in message
    assert "BUDGETQA_MAX_ROWS" in message and doc_ids(service) == [DOC_ID]


def test_an_upload_is_parsed_once(service, tmp_path, seed_path, monkeypatch):
    calls = []
    load = corpus.load

    def counted(path, *a, **kw):
        calls.append(path)
        return load(path, *a, **kw)
    monkeypatch.setattr(corpus, "load", counted)
    other = variant(seed_path, tmp_path / "in", "once", OTHER_DEPT, 2023, "0.80")
    assert service.add_upload(other, other.name).outcome == "added"
    assert len(calls) == 1


def test_integrity_findings_shown_to_staff_are_in_chinese(seed_doc):
    import re

    messages = [f.message for f in seed_doc.findings]
    assert messages == [
        "附表6 一般公共预算基本支出表，行“301 工资福利支出”，列“本年一般公共预算基本支出 / 合计”："
        "印的是 845.11，其下级科目之和为 845.12",
        "附表6 一般公共预算基本支出表，行“301 工资福利支出”，列“本年一般公共预算基本支出 / 人员经费”："
        "印的是 845.11，其下级科目之和为 845.12",
    ]
    assert not [m for m in messages if re.search(r"[A-Za-z]{3,}", m)]
