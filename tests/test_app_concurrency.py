"""Load (issue 11, item 10): answers run several at once, through Gradio's queue and `POST
/api/ask`, and the same question over the same index is answered once. The figures come from
benchmarks/load.py (README, "Load"); these tests check the mechanisms, not timings."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import DOC_ID, RECEPTION, free_port  # noqa: E402
from corpus.facts import DocumentInfo  # noqa: E402
from qa import http as qa_http  # noqa: E402
from qa.answer import Answer  # noqa: E402
from qa.service import EngineService  # noqa: E402

AT_ONCE = 4


class Counting:
    """The real engine, counting the answers it computes."""

    def __init__(self, engine):
        self.inner = engine
        self.live_index = engine.live_index
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def ensure_index(self, progress=None):
        self.inner.ensure_index(progress)

    def catalogue(self):
        return self.inner.catalogue()

    def parsed(self):
        return self.inner.parsed()

    def source_findings(self):
        return self.inner.source_findings()

    def add_document(self, path, progress=None, source=None):
        return self.inner.add_document(path, progress, source)

    def answer(self, question, doc_ids=None):
        with self.lock:
            self.calls.append(question)
        return self.inner.answer(question, doc_ids)


def without_timings(answer: Answer) -> dict:
    return {k: v for k, v in answer.to_dict().items() if k != "timings"}


def test_the_same_question_over_the_same_index_is_answered_once(engine):
    counting = Counting(engine)
    service = EngineService(lambda: counting, index_check_seconds=0)
    question = RECEPTION.question
    first = service.answer(question)
    assert (first.value, first.unit, first.citations[0].table) == (RECEPTION.value, "万元", "附表7")
    assert without_timings(first) == without_timings(engine.answer(question))
    assert service.answer(question) is first and counting.calls == [question]
    assert service.cached("差旅费是多少") is None
    assert EngineService(lambda: counting, index_check_seconds=60).cached(question) is None   # no engine yet
    # another document scope is another answer
    service.answer(question, {DOC_ID})
    assert counting.calls == [question, question]
    # many users asking a new question at once: one run, everybody gets it
    new = "邮电费是多少"
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: service.ask(new), range(12)))
    assert counting.calls.count(new) == 1
    assert len({json.dumps(without_timings(a), ensure_ascii=False, sort_keys=True) for a in answers}) == 1
    assert all("app_total" in a.timings for a in answers)
    # another build put in use (an upload here, or by the staff instance sharing the folder): asked again
    engine.live_index.reload()
    assert service.cached(question) is None         # due to look at the index: the engine path does
    again = service.answer(question)
    assert counting.calls.count(question) == 3 and without_timings(again) == without_timings(first)


def test_a_remembered_answer_is_served_without_the_engine(engine):
    counting = Counting(engine)
    service = EngineService(lambda: counting, index_check_seconds=60)
    first = service.answer(RECEPTION.question)
    assert service.cached(RECEPTION.question) is first
    status, body = qa_http.cached_http(service, {"question": RECEPTION.question})
    assert status == 200 and body == first.to_dict() and body["value"] == 0.5
    assert qa_http.cached_http(service, {"question": 5}) is None and qa_http.cached_http(service, {"question": "邮电费是多少"}) is None
    assert counting.calls == [RECEPTION.question]


def test_a_failed_answer_is_not_remembered(engine):
    class Failing(Counting):
        def answer(self, question, doc_ids=None):
            super().answer(question, doc_ids)
            if len(self.calls) == 1:
                raise RuntimeError("boom")
            return self.inner.answer(question, doc_ids)

    failing = Failing(engine)
    service = EngineService(lambda: failing)
    try:
        service.answer(RECEPTION.question)
    except RuntimeError:
        pass
    assert service.answer(RECEPTION.question).value == RECEPTION.value and len(failing.calls) == 2


class Together:
    """A fake engine whose answers return only once AT_ONCE of them run at the same time (no
    live_index: nothing is cached, every request reaches it)."""

    def __init__(self, docs):
        self.docs = docs
        self.barrier = threading.Barrier(AT_ONCE, timeout=30)

    def ensure_index(self, progress=None):
        pass

    def catalogue(self):
        return [DocumentInfo.of(d) for d in self.docs]

    def parsed(self):
        return {d.doc_id: d for d in self.docs}

    def source_findings(self):
        return []

    def add_document(self, path, progress=None, source=None):
        raise AssertionError("not here")

    def answer(self, question, doc_ids=None):
        self.barrier.wait()        # BrokenBarrierError if answers were served one at a time
        return RECEPTION


def test_answers_run_several_at_once_through_both_apis(seed_doc):
    from gradio_client import Client

    service = EngineService(lambda: Together([seed_doc]))
    service.engine()
    demo = app.build_app(service, public=True)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True, service=service)
    base = url.rstrip("/")
    try:
        assert app.DEFAULT_CONCURRENCY >= AT_ONCE

        def via_gradio(_):
            return Client(base, verbose=False).predict(RECEPTION.question, None, api_name="/ask")

        def via_http(_):
            body = json.dumps({"question": RECEPTION.question}, ensure_ascii=False).encode()
            request = urllib.request.Request(f"{base}/api/ask", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())

        for ask in (via_gradio, via_http):
            with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
                results = list(pool.map(ask, range(AT_ONCE)))
            assert [r["value"] for r in results] == [0.5] * AT_ONCE, ask.__name__
    finally:
        demo.close()
