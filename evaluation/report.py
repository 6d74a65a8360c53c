"""The report of a gold-set run: report.md, results.jsonl, summary.json and two charts.

Accuracy overall, per category, per publishing template and per document; a held-out set is
labelled as such and its failing questions are not listed unless asked (tuning on them would
spoil the estimate).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from evaluation.metrics import Summary
from evaluation.runner import RETRIEVAL_K, ConfigRun, QuestionResult, ReportContext
from index.config import PROJECT_ROOT
from qa.answer import Answer


def write_outputs(runs: Sequence[ConfigRun], out_dir: Path, context: ReportContext) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        write_results(runs, out_dir / "results.jsonl"),
        write_summary(runs, out_dir / "summary.json", context),
        write_report(runs, out_dir / "report.md", context),
        plot_accuracy_by_category(runs, out_dir / "accuracy_by_category.png"),
        plot_latency(runs, out_dir / "latency.png"),
    ]
    return paths


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # exact text → the nearest JSON number
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(obj: Any, **kwargs: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_json_default, **kwargs)


def write_results(runs: Sequence[ConfigRun], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for run_ in runs:
            for result in run_.results:
                f.write(_dumps(result.to_dict()) + "\n")
    return path


def write_summary(runs: Sequence[ConfigRun], path: Path, context: ReportContext) -> Path:
    summary = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "set": context.set_name,
        "held_out": context.held_out,
        "gold": [str(p) for p in context.gold_files],
        "index_dir": str(context.index_dir) if context.index_dir else None,
        "n_questions": len(runs[0].results) if runs else 0,
        "configs": {
            r.config.name: {
                "retrieval": r.config.retrieval, "naive": r.config.naive,
                "engine_load_s": r.engine_load_s, "index_build_s": r.index_build_s,
                "overall": r.summary().to_dict(),
                "by_category": {c: s.to_dict() for c, s in r.by_category().items()},
                "by_template": {t: s.to_dict() for t, s in r.by_template(context.template_of).items()},
                "by_document": {d: s.to_dict() for d, s in r.by_document().items()},
            }
            for r in runs
        },
    }
    path.write_text(_dumps(summary, indent=2) + "\n", encoding="utf-8")
    return path


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _num(value: float | None, fmt: str = "{:.3f}") -> str:
    return "–" if value is None else fmt.format(value)


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    ms = value * 1000
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


def _secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _cell(text: object) -> str:
    """Markdown table cells: no pipes or line breaks."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def headline_table(runs: Sequence[ConfigRun]) -> list[str]:
    lines = ["| config | accuracy | citation acc. | wrong figures | NF precision | NF recall | R@1 | R@5 | MRR "
             "| p50 | p95 | engine load | index build |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        s = r.summary()
        lines.append(
            f"| {r.config.name} | {_pct(s.accuracy)} | {_pct(s.citation_accuracy)} "
            f"| {s.wrong_figures} ({_pct(s.wrong_figure_rate)}) | {_pct(s.nf_precision)} | {_pct(s.nf_recall)} "
            f"| {_pct(s.recall_at_1)} | {_pct(s.recall_at_5)} | {_num(s.mrr)} "
            f"| {_ms(s.latency_p50)} | {_ms(s.latency_p95)} | {_secs(r.engine_load_s)} | {_secs(r.index_build_s)} |")
    return lines


def group_table(runs: Sequence[ConfigRun], groups: Callable[[ConfigRun], dict[str, Summary]], title: str) -> list[str]:
    """Accuracy / citation accuracy / wrong figures per group, one column per configuration."""
    per_run = [groups(r) for r in runs]
    names = sorted({g for per in per_run for g in per})
    header = " | ".join(r.config.name for r in runs)
    lines = [f"| {title} | n | {header} |", "|---|---|" + "---|" * len(runs)]
    for name in names:
        n = next(per[name].n for per in per_run if name in per)
        cells = " | ".join(_group_cell(per.get(name)) for per in per_run)
        lines.append(f"| {_cell(name)} | {n} | {cells} |")
    return lines


def _group_cell(s: Summary | None) -> str:
    if s is None:
        return "–"
    wrong = f" · **{s.wrong_figures} wrong**" if s.wrong_figures else ""
    return f"{_pct(s.accuracy)} / {_pct(s.citation_accuracy)}{wrong}"


def category_table(runs: Sequence[ConfigRun]) -> list[str]:
    return group_table(runs, ConfigRun.by_category, "category")


def describe_answer(result: QuestionResult) -> str:
    if result.answer is None:
        return f"error — {result.error}"
    a = result.answer
    value = f" · value {a.value} {a.unit or ''}".rstrip() if a.value is not None else ""
    text = a.answer if len(a.answer) <= 300 else a.answer[:300] + "…"
    return f"[{a.kind}{value}] {text}"


def describe_citations(answer: Answer | None) -> list[str]:
    if answer is None or not answer.citations:
        return ["(none)"]
    return [" · ".join(p for p in (c.table or "", c.section, c.row or "", c.column or "", c.location) if p)
            for c in answer.citations]


def failure_section(run_: ConfigRun) -> list[str]:
    failures = [r for r in run_.results if not r.verdict.cited]
    lines = [f"## Failures of `{run_.config.name}` ({len(failures)} of {len(run_.results)} not correct and cited)", ""]
    for r in failures:
        g = r.gold
        lines += [
            f"### {g.id} · {g.category}" + (" · **wrong figure**" if r.verdict.wrong_figure else ""),
            f"- asked: {g.question}",
            f"- got: {describe_answer(r)}",
            f"- expected: {g.expected_text()}",
            f"- expected sources: {'、'.join(g.expected_sources) or '(none)'}",
            "- cited: " + "; ".join(describe_citations(r.answer)),
            f"- why: {r.verdict.reason}",
            f"- retrieval rank of an expected source: {r.outcome.rank or 'not in top ' + str(RETRIEVAL_K)}",
            "",
        ]
    return lines


def write_report(runs: Sequence[ConfigRun], path: Path, context: ReportContext) -> Path:
    n = len(runs[0].results) if runs else 0
    files = ", ".join(f"`{_display_path(p)}`" for p in context.gold_files)
    lines = [
        f"# 预算问答 evaluation: {context.label}", "",
        f"Gold set `{context.set_name}`: {files} ({n} questions) · index: `{context.index_dir or 'default'}` · "
        f"{datetime.now(timezone.utc).isoformat(timespec='seconds')}", "",
    ]
    if context.held_out:
        lines += ["**Held-out set.** These documents are kept out of development: this number is the honest "
                  "estimate of what users get. Report it; do not tune on its failures.", ""]
    lines += [
        "Accuracy: right figure (after unit conversion, within tolerance), keywords, or a correct not_found. "
        "Citation accuracy: right *and* citing an expected source (questions with sources only; where the gold "
        "names files, in one of those files). "
        f"Retrieval: rank of the first node from an expected source in the top {RETRIEVAL_K}. "
        "Latency: per answer. Group cells: accuracy / citation accuracy, and wrong figures when there are any.", "",
        "## Headline", "", *headline_table(runs), "",
        "## By template", "", *group_table(runs, lambda r: r.by_template(context.template_of), "template"), "",
        "## By document", "", *group_table(runs, ConfigRun.by_document, "document"), "",
        "## By category", "", *category_table(runs), "",
        "![accuracy by category](accuracy_by_category.png)", "", "![latency](latency.png)", "",
    ]
    focus = focus_run(runs)
    if focus is not None and context.show_failures:
        lines += failure_section(focus)
    elif focus is not None:
        lines += ["## Failures", "", "Not listed for a held-out set (`--show-failures` lists them; "
                  "results.jsonl has every answer).", ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def focus_run(runs: Sequence[ConfigRun]) -> ConfigRun | None:
    """The run whose failures and groups are spelled out: the full engine when it ran."""
    return next((r for r in runs if r.config.name == "full"), runs[0] if runs else None)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on servers and in CI
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy_by_category(runs: Sequence[ConfigRun], path: Path) -> Path:
    """Grouped bars. Axis labels are the ASCII category names: no CJK font is needed."""
    plt = _pyplot()
    per_run = [r.by_category() for r in runs]
    categories = sorted({c for cats in per_run for c in cats})
    width = 0.8 / max(len(runs), 1)
    fig, ax = plt.subplots(figsize=(max(8, len(categories) * 1.1), 4.5))
    for i, (r, cats) in enumerate(zip(runs, per_run)):
        xs = [j + (i - (len(runs) - 1) / 2) * width for j in range(len(categories))]
        ys = [(cats[c].accuracy or 0) * 100 if c in cats else 0 for c in categories]
        ax.bar(xs, ys, width, label=r.config.name)
    ax.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Answer accuracy by category")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_latency(runs: Sequence[ConfigRun], path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    data = [[max(o.latency_s * 1000, 1e-3) for o in r.outcomes] or [0] for r in runs]
    ax.boxplot(data, showfliers=True)
    ax.set_xticks(range(1, len(runs) + 1), [r.config.name for r in runs])
    ax.set_yscale("log")  # the baseline and the engine differ by orders of magnitude
    ax.set_ylabel("latency per question (ms, log scale)")
    ax.set_title("Latency distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def headline_text(runs: Sequence[ConfigRun], context: ReportContext | None = None) -> str:
    """A short console summary: one line per configuration, then (with a context) accuracy
    per template and per document for the full engine."""
    rows = [f"{context.label}: {len(runs[0].results) if runs else 0} questions"] if context else []
    for r in runs:
        s = r.summary()
        rows.append(f"{r.config.name:8s} acc {_pct(s.accuracy):>6s}  cited {_pct(s.citation_accuracy):>6s}  "
                    f"wrong {s.wrong_figures:3d}  NF P/R {_pct(s.nf_precision)}/{_pct(s.nf_recall)}  "
                    f"R@1 {_pct(s.recall_at_1)} R@5 {_pct(s.recall_at_5)} MRR {_num(s.mrr)}  "
                    f"p50 {_ms(s.latency_p50)} p95 {_ms(s.latency_p95)}")
    focus = focus_run(runs)
    if context is not None and focus is not None:
        rows += group_lines(f"by template ({focus.config.name})", focus.by_template(context.template_of))
        rows += group_lines(f"by document ({focus.config.name})", focus.by_document())
    return "\n".join(rows)


def group_lines(title: str, groups: dict[str, Summary]) -> list[str]:
    # aligned on single publications; a cross-year group's long "a + b" name just runs over
    width = max((len(name) for name in groups if " + " not in name), default=0)
    lines = [title + ":"]
    for name, s in groups.items():
        lines.append(f"  {name:<{width}s}  n {s.n:3d}  acc {_pct(s.accuracy):>6s}  "
                     f"cited {_pct(s.citation_accuracy):>6s}  wrong {s.wrong_figures}")
    return lines
