"""Fuzz (issue 11, acceptance): any question is answered or refused, never raises, within a
bound; any mutation of a real budget file (truncated, bytes flipped, a huge zip member
added) is added or refused in Chinese by the upload path, never raises, and leaves no staged
file behind. Memory stays bounded by corpus.ReadLimits (benchmarks/hostile.py measures it).
Bounded: a few dozen examples, no deadline per example, the whole file well under a minute."""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PDF_DIR, SEED
from office_fixtures import TABLE_5, TABLE_7, with_numbers, write_docx, write_xlsx
from qa.answer import Answer
from qa.service import EngineService, default_engine_factory
from qa.staff import upload_document

HANG = 30.0          # seconds: far above any answer (~0.1 s); only a hang would pass it
UPLOAD_HANG = 180.0  # a mutated file that is still a budget is added: parsed, and its new texts embedded

QUESTIONS = st.one_of(
    st.text(max_size=300),                                                    # any code point, controls included
    st.text(alphabet=st.sampled_from("公务接待费是多少2024年\t\n\x00\x1b\u202e\ufeff?？%万元abc表7"), max_size=80),
    st.builds(lambda s, n: s * n, st.sampled_from(["公务接待费", "what ", "\u0000", "𠀀"]), st.integers(1, 2000)),
    st.builds(lambda a, b: a + b, st.sampled_from(["公务接待费是多少", "2089999是多少", "邮电费"]), st.text(max_size=40)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=QUESTIONS)
def test_any_question_is_answered_or_refused(engine, question):
    started = time.perf_counter()
    answer = engine.answer(question)
    assert isinstance(answer, Answer) and isinstance(answer.answer, str) and answer.answer
    assert time.perf_counter() - started < HANG


# ------------------------------------------------------------------ mutated files


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("originals")
    tables = [with_numbers(TABLE_5), with_numbers(TABLE_7)]
    return {".txt": SEED.read_bytes(), ".pdf": (PDF_DIR / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf").read_bytes(),
            ".xlsx": write_xlsx(folder / "b.xlsx", tables).read_bytes(),
            ".docx": write_docx(folder / "b.docx", tables).read_bytes()}


@pytest.fixture(scope="module")
def upload_service(seed_index, tmp_path_factory) -> EngineService:
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(seed_index, folder / "index", symlinks=True)
    service = EngineService(default_engine_factory(folder / "index"), data_dir=folder / "uploads")
    service.engine()
    return service


def with_huge_member(data: bytes, megabytes: int) -> bytes:
    """The zip with one more member: `megabytes` MB of zeros (a zip bomb's shape)."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/worksheets/sheet9.xml", "w",
                                                                       force_zip64=True) as fh:
        for _ in range(megabytes):
            fh.write(b"\0" * (1024 * 1024))
    return out.getvalue()


@st.composite
def mutated(draw, data: bytes, zipped: bool) -> bytes:
    how = draw(st.sampled_from(["truncate", "flip", "huge"] if zipped else ["truncate", "flip"]))
    if how == "truncate":
        return data[:draw(st.integers(0, len(data) - 1))]
    if how == "huge":
        return with_huge_member(data, draw(st.sampled_from([2, 300])))
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 20))):
        out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
    return bytes(out)


ENGLISH_ALLOWED = {"PDF", "Excel", "Word", "WPS", "xlsx", "docx", "BUDGETQA", "MAX", "ROWS", "CELLS", "ZIP", "RATIO",
                   "UNZIPPED", "BYTES", "TEXT", "LINES", "FILE", "PAGES", "PARAGRAPHS"}


def check_outcome(service: EngineService, tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"mutated{suffix}"
    path.write_bytes(data)
    started = time.perf_counter()
    ok, status, _, _ = upload_document(service, str(path))   # never raises: that is the test
    assert time.perf_counter() - started < UPLOAD_HANG
    text = re.sub(r"<[^>]+>|\([^)]*\)|（[^）]*）", "", status).replace(path.name, "")
    assert re.search(r"[\u4e00-\u9fff]", text), status                      # said in Chinese
    if not ok:
        assert set(re.findall(r"[A-Za-z]{3,}", text)) <= ENGLISH_ALLOWED, status
    assert not list(service.data_dir.glob(".incoming-*/*"))                 # nothing staged is left


@pytest.mark.parametrize("suffix, examples", [(".txt", 12), (".pdf", 5), (".xlsx", 10), (".docx", 8)])
def test_a_mutated_file_is_added_or_refused_in_chinese(upload_service, originals, tmp_path_factory, suffix, examples):
    tmp_path = tmp_path_factory.mktemp("mutated")

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=mutated(originals[suffix], zipped=suffix in (".xlsx", ".docx")))
    def run(data):
        check_outcome(upload_service, tmp_path, suffix, data)

    run()
