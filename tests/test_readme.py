"""The README is part of the contract: its field list and commands must match the code."""

from __future__ import annotations

import re
from decimal import Decimal

from conftest import ROOT
from qa.answer import Answer, Citation

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_lists_exactly_the_answer_fields():
    section = README.split("## The answer contract", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", section, flags=re.M)
    cite = Citation("d", "d", "s", "附表7", "r", "c", "t", "l", Decimal("1"), "万元", "id")
    actual = Answer("q", "a", "lookup", Decimal("1"), "万元", (cite,)).to_dict()
    assert documented == list(actual)
    citation_fields = re.search(r"list of \{(.+?)\}", section).group(1)
    assert re.findall(r"`(\w+)`", citation_fields) == list(cite.to_dict())


def test_readme_set_up_is_two_make_commands_that_exist():
    block = README.split("## Set-up: two commands", 1)[1].split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_commands_name_real_modules():
    for module in re.findall(r"python -m (\w+)", README):
        assert (ROOT / module / "__main__.py").exists(), module


def test_readme_python_example_runs_and_its_comments_are_true(monkeypatch, engine):
    """Every `expression  # value` line of the README's Python example evaluates to that value."""
    import qa

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(qa, "default_engine", lambda: engine)  # the session's seed index
    block = README.split("### Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    checked = 0
    for line in block.splitlines():
        code, _, comment = line.partition("  # ")
        comment = comment.strip()
        if comment.startswith("Decimal(") or comment.startswith("Cell("):
            value = eval(code.strip(), namespace)
            if comment.startswith("Cell("):
                assert repr(value).startswith(comment.split("…")[0].rstrip(", ")), line
            else:
                assert value == eval(comment, {"Decimal": Decimal}), line
            checked += 1
        elif comment.startswith("Decimal") or "'万元'" in comment:
            value = eval(code.strip(), namespace)
            assert value == eval(comment, {"Decimal": Decimal}), line
            checked += 1
    assert checked >= 3
