"""The plain HTTP API served beside the Gradio page: `POST /api/ask` returns exactly what
`python -m qa ask --json` prints (the engine's `Answer.to_dict()`)."""

from __future__ import annotations

from typing import Any

from qa.service import EngineService, check_question


def doc_ids_for(choice: str | None) -> set[str] | None:
    return {choice} if choice else None



def ask_api(service: EngineService, question: str, doc_id: str | None = None) -> dict[str, Any]:
    """The structured answer (Answer.to_dict()) for API clients; InputError on bad input."""
    return service.ask(check_question(question), doc_ids_for(doc_id)).to_dict()


def ask_http(service: EngineService, body: Any) -> tuple[int, dict[str, Any]]:
    """`POST /api/ask`: {"question": "…", "doc_id": "…" (optional)} → (status, JSON). The
    answer is exactly what `python -m qa ask --json` prints for the question (the engine's
    Answer.to_dict(), no app timings added); a body without a question string is a 400."""
    if not isinstance(body, dict) or not isinstance(body.get("question"), str):
        return 400, {"error": '请求体应为 JSON 对象：{"question": "公务接待费是多少", "doc_id": "（可选）"}'}
    doc_id = body.get("doc_id")
    if doc_id is not None and not isinstance(doc_id, str):
        return 400, {"error": "doc_id 应为字符串。"}
    answer = service.answer(body["question"], doc_ids_for(doc_id))
    return 200, answer.to_dict()


def cached_http(service: EngineService, body: Any) -> tuple[int, dict[str, Any]] | None:
    """`ask_http`'s answer when the service remembers it (`EngineService.cached`), else None."""
    if not isinstance(body, dict) or not isinstance(body.get("question"), str):
        return None
    doc_id = body.get("doc_id")
    if doc_id is not None and not isinstance(doc_id, str):
        return None
    known = service.cached(body["question"], doc_ids_for(doc_id))
    return (200, known.to_dict()) if known is not None else None


def api_routes(service: EngineService) -> list[Any]:
    """The plain HTTP routes served beside the Gradio app (on the same FastAPI app)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def ask_endpoint(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            body = None
        known = cached_http(service, body)        # a remembered answer: no thread needed
        if known is None:
            known = await run_in_threadpool(ask_http, service, body)   # the engine is CPU work
        status, content = known
        return JSONResponse(content, status_code=status)

    return [Route("/api/ask", ask_endpoint, methods=["POST"])]
