"""Load test of the page's server: N simultaneous users × the seed questions, over HTTP.

    python benchmarks/load.py [--users 50] [--via api,gradio,session] [--max-seconds 300] [--index DIR]

Starts `app.py --public` on 127.0.0.1 on a free port (a subprocess, so the clients do not
share its interpreter), asks every question once alone (the single-user answers), then lets
the users loose at once, each asking the 10 seed questions (each user starting at a
different one) through

- `api`:    `POST /api/ask` (JSON in, the engine's answer out);
- `gradio`: Gradio's own API as curl calls it, `POST /gradio_api/call/ask` then the event's
            result stream (a new Gradio session for every question);
- `session`: Gradio's API as the page and `gradio_client` call it: one session per user,
            `POST /gradio_api/queue/join`, then the session's stream (`/gradio_api/queue/data`).

Prints per route: p50 / p95 / max latency, errors, and whether every answer is identical to
the single-user answer (timings aside). Bounded: every request has a timeout and the whole run
stops after --max-seconds; the server is always stopped. Not a test: figures depend on the
machine (README, "Load").
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))
from app import EXAMPLES  # noqa: E402  (the page's example questions, then one more)

QUESTIONS = [*EXAMPLES, "2024年一般公共预算拨款收入是多少？"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict[str, Any], timeout: float) -> bytes:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def ask_api(base: str, question: str, timeout: float) -> dict[str, Any]:
    """`POST /api/ask` → the answer object."""
    return json.loads(_post(f"{base}/api/ask", {"question": question}, timeout))


def ask_gradio(base: str, question: str, timeout: float) -> dict[str, Any]:
    """Gradio's API: join the queue (`POST /gradio_api/call/ask`), then read the event's
    server-sent events until `complete` (or `error`)."""
    event_id = json.loads(_post(f"{base}/gradio_api/call/ask", {"data": [question, None]}, timeout))["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/ask/{event_id}", timeout=timeout) as stream:
        event = ""
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                payload = line[5:].strip()
                if event == "error":
                    raise RuntimeError(f"gradio error: {payload}")
                return json.loads(payload)[0]
    raise RuntimeError("the event stream ended without a result")


_user = threading.local()          # the user (thread) asking: its Gradio session
_fn_index: dict[str, int] = {}


def ask_session(base: str, question: str, timeout: float) -> dict[str, Any]:
    """Gradio's API as the page and `gradio_client` call it: one session per user, `POST
    /gradio_api/queue/join`, then the session's message stream until `process_completed`."""
    if base not in _fn_index:
        with urllib.request.urlopen(f"{base}/config", timeout=timeout) as response:
            config = json.loads(response.read())
        _fn_index[base] = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "ask")
    session = getattr(_user, "session", None) or f"load-{threading.get_ident()}"
    joined = json.loads(_post(f"{base}/gradio_api/queue/join",
                              {"data": [question, None], "fn_index": _fn_index[base], "session_hash": session,
                               "event_data": None, "trigger_id": None}, timeout))
    with urllib.request.urlopen(f"{base}/gradio_api/queue/data?session_hash={session}", timeout=timeout) as stream:
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed" and message.get("event_id") == joined["event_id"]:
                if not message.get("success"):
                    raise RuntimeError(f"gradio error: {message.get('output')}")
                return message["output"]["data"][0]
    raise RuntimeError("the session stream ended without a result")


ROUTES: dict[str, Callable[[str, str, float], dict[str, Any]]] = {
    "api": ask_api, "gradio": ask_gradio, "session": ask_session}


def comparable(answer: dict[str, Any]) -> str:
    """The answer without its timings, as a canonical string."""
    return json.dumps({k: v for k, v in answer.items() if k != "timings"}, ensure_ascii=False, sort_keys=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))   # nearest rank
    return ordered[rank]


def start_server(port: int, index: str | None, deadline: float) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "OMP_WAIT_POLICY": "passive"}
    cmd = [sys.executable, str(ROOT / "app.py"), "--public", "--host", "127.0.0.1", "--port", str(port)]
    if index:
        cmd += ["--index", index]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}): {server.stderr.read().decode()[-2000:]}")
        try:
            ask_api(base, QUESTIONS[0], timeout=120)   # the first question loads the engine
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not answer in time")


def run_route(base: str, route: str, users: int, questions: list[str], reference: dict[str, str],
              timeout: float, deadline: float) -> dict[str, Any]:
    """`users` threads released together; each asks every question once, in its own order."""
    ask = ROUTES[route]
    latencies: list[float] = []
    errors: list[str] = []
    different: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(users)

    def user(n: int) -> None:
        _user.session = f"load-user-{n}"
        order = questions[n % len(questions):] + questions[:n % len(questions)]
        barrier.wait()
        for question in order:
            if time.monotonic() > deadline:
                with lock:
                    errors.append("run stopped at --max-seconds")
                return
            start = time.perf_counter()
            try:
                answer = ask(base, question, timeout)
            except Exception as e:  # noqa: BLE001 — every failure is counted, none stops the run
                with lock:
                    errors.append(f"{question}: {type(e).__name__}: {e}")
                continue
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if comparable(answer) != reference[question]:
                    different.append(question)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(user, range(users)))
    wall = time.perf_counter() - start
    return {"route": route, "users": users, "requests": users * len(questions), "answered": len(latencies),
            "errors": errors, "different": different, "wall": wall,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "max": max(latencies, default=float("nan"))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=50, help="simultaneous users (default 50)")
    p.add_argument("--via", default="api,gradio,session",
                   help="routes, comma-separated: api, gradio, session (default all three)")
    p.add_argument("--max-seconds", type=float, default=300, help="stop the whole run after this (default 300)")
    p.add_argument("--timeout", type=float, default=60, help="per request (default 60 s)")
    p.add_argument("--index", default=None, help="index folder for the server (default: the project's)")
    p.add_argument("--url", default=None, help="load a server already running at this URL instead of starting one")
    args = p.parse_args(argv)
    routes = [r.strip() for r in args.via.split(",") if r.strip()]
    unknown = [r for r in routes if r not in ROUTES]
    if unknown:
        p.error(f"unknown route(s): {', '.join(unknown)}")

    deadline = time.monotonic() + args.max_seconds
    server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, args.index, deadline)
    failed = False
    try:
        alone: dict[str, list[float]] = {}
        reference: dict[str, str] = {}
        for route in routes:   # the single-user answers (and latencies), each route
            for question in QUESTIONS:
                start = time.perf_counter()
                answer = ROUTES[route](base, question, args.timeout)
                alone.setdefault(route, []).append(time.perf_counter() - start)
                text = comparable(answer)
                if reference.setdefault(question, text) != text:
                    print(f"  note: {route} answers {question!r} differently from the other route", file=sys.stderr)
                    failed = True
        print(f"server {base}; {os.cpu_count()} cores; load average before: "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for route in routes:
            print(f"  1 user  via {route:6}: p50 {percentile(alone[route], 50) * 1000:6.0f} ms   "
                  f"p95 {percentile(alone[route], 95) * 1000:6.0f} ms")
        for route in routes:
            r = run_route(base, route, args.users, QUESTIONS, reference, args.timeout, deadline)
            same = "yes" if not r["different"] and r["answered"] == r["requests"] else f"NO ({len(r['different'])} differ)"
            print(f"{r['users']} users via {route:6}: {r['requests']} requests in {r['wall']:.1f} s; "
                  f"p50 {r['p50'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms, max {r['max'] * 1000:.0f} ms; "
                  f"errors {len(r['errors'])}; identical to single-user answers: {same}")
            for e in r["errors"][:5]:
                print(f"    error: {e}")
            failed = failed or bool(r["errors"] or r["different"])
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
