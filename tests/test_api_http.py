"""`POST /api/ask` beside the Gradio app: the page's server on a free localhost port, asked
as curl would ask it (urllib), answers with exactly the JSON `python -m qa ask --json` prints."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import RECEPTION, ROOT, free_port, seed_citation  # noqa: E402


@pytest.fixture(scope="module")
def base_url():
    service = app.get_service()
    service.engine()
    demo = app.build_app(service)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True, service=service)
    try:
        yield url.rstrip("/")
    finally:
        demo.close()


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, dict]:
    """What `curl -X POST -H 'Content-Type: application/json' -d BODY URL` does."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode("utf-8"))


@functools.lru_cache(maxsize=None)
def cli_json(question: str) -> dict:
    run = subprocess.run([sys.executable, "-m", "qa", "ask", "--json", question], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert run.returncode in (0, 3), run.stderr
    return json.loads(run.stdout)


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings"}


def test_api_ask_returns_what_the_cli_prints(base_url):
    question = RECEPTION.question                              # 公务接待费是多少
    status, answer = post(f"{base_url}/api/ask", json.dumps({"question": question}, ensure_ascii=False).encode())
    assert status == 200
    assert without_timings(answer) == without_timings(cli_json(question))
    assert set(answer["timings"]) == set(cli_json(question)["timings"])   # the engine's, no app timings
    cite = seed_citation()
    first = answer["citations"][0]
    assert (answer["kind"], answer["value"], answer["unit"]) == ("lookup", 0.5, "万元")
    assert (first["doc_id"], first["table"], first["value"]) == (cite.doc_id, cite.table, 0.5)
    assert first["location"].endswith("budget.txt, line 325")  # the file stays in the JSON


def test_api_ask_with_document_and_not_found(base_url):
    cite = seed_citation()
    body = json.dumps({"question": "2030年公务接待费是多少", "doc_id": cite.doc_id}, ensure_ascii=False).encode()
    status, answer = post(f"{base_url}/api/ask", body)
    assert status == 200 and answer["kind"] == "not_found"
    assert "2024 年的数字：0.50 万元" in answer["answer"]
    assert without_timings(answer) == without_timings(cli_json("2030年公务接待费是多少"))


def test_api_ask_refuses_a_body_without_a_question(base_url):
    for body in (b"not json", b"{}", b'{"question": 5}', b'["x"]', b'{"question": "q", "doc_id": 3}'):
        status, answer = post(f"{base_url}/api/ask", body)
        assert status == 400 and ("question" in answer["error"] or "doc_id" in answer["error"]), body
    status, answer = post(f"{base_url}/api/ask", json.dumps({"question": "问" * 501}).encode())
    assert status == 200 and answer["kind"] == "not_found" and "问题太长" in answer["answer"]
