"""Everything the product says, written to a folder, so that a refactoring can be proven to
change nothing: parsed documents, facts, index nodes and answers.

    .venv/bin/python benchmarks/behaviour_snapshot.py write OUT [--corpus-dir DIR] [--no-all]
        [--no-documents] [--gold-sets seed,multi-dev,multi-holdout,multi-fresh]
    .venv/bin/python benchmarks/behaviour_snapshot.py compare BEFORE AFTER

`write` parses the seed and every PDF under ../shared/corpus (or --corpus-dir) and
tests/fixtures, dumps each document's JSON, facts and nodes, then answers every development
gold question (and the other-template test questions) over three indexes: the seed, the two
fixture PDFs, and (unless --no-all) all documents together; --gold-sets also answers each
named gold set over its own corpus. Timings are left out. `compare`
prints every file that differs and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402
from corpus.facts import document_facts  # noqa: E402
from corpus.serialize import document_dict  # noqa: E402
from index import IndexConfig, build_index, document_nodes  # noqa: E402

OTHER_TEMPLATE_QUESTIONS = [
    "万里街道的公务接待费是多少", "万里街道2024年“三公”经费合计是多少", "万里街道机关运行经费是多少",
    "万里街道收入总计是多少", "江苏省高级人民法院的公务接待费是多少", "江苏省高级人民法院项目支出是多少",
    "江苏省高级人民法院2019年会议费是多少", "公务接待费是多少", "武汉经开区教育局2024年的“三公”经费是多少？",
    "万里街道的项目支出是多少", "江苏省高级人民法院的基本支出是多少", "万里街道2024年政府采购预算是多少",
    "江苏省高级人民法院2019年收入预算总计是多少", "万里街道的人员经费是多少",
]


def _default(o):
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(type(o))


def _dump(obj) -> str:
    # paths inside the checkout are written relative to it, so two checkouts compare equal
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, default=_default)
    return text.replace(f'"{ROOT}/', '"ROOT/')


def _documents(corpus_dir: Path) -> list[Path]:
    files = sorted(corpus_dir.glob("*.txt")) + sorted((corpus_dir / "extra").glob("*.pdf"))
    files += sorted((ROOT / "tests" / "fixtures").rglob("*.*"))
    return [f for f in files if f.suffix.lower() in corpus.SUPPORTED_SUFFIXES]


def write_documents(files: list[Path], out: Path) -> None:
    for f in files:
        name = f.relative_to(f.parents[1]).as_posix().replace("/", "__")
        try:
            doc = corpus.load(f)
        except corpus.ParseError as e:
            (out / "documents" / f"{name}.error").write_text(str(e).replace(str(ROOT), "ROOT"), encoding="utf-8")
            continue
        (out / "documents" / f"{name}.json").write_text(_dump(document_dict(doc)), encoding="utf-8")
        facts = [asdict(x) for x in document_facts(doc)]
        (out / "facts" / f"{name}.json").write_text(_dump(facts), encoding="utf-8")
        nodes = [{"id": n.node_id, "text": n.text, "metadata": n.metadata} for n in document_nodes(doc)]
        (out / "nodes" / f"{name}.json").write_text(_dump(nodes), encoding="utf-8")
        print(f"parsed {name}", flush=True)


def _answers(index_dir: Path, questions: list[str]) -> str:
    from qa import Engine

    engine = Engine(index_dir)
    lines = []
    for q in questions:
        d = engine.answer(q).to_dict()
        d.pop("timings", None)
        lines.append(json.dumps(d, ensure_ascii=False, sort_keys=True, default=_default))
    return "\n".join(lines) + "\n"


def write_answers(corpus_dir: Path, out: Path, state: Path, with_all: bool) -> None:
    from evaluation.gold import DEV_SET, load_gold

    gold = [g.question for g in load_gold(DEV_SET)]
    sets = {
        "seed": ([corpus.default_corpus_dir()], gold),
        "fixture_pdfs": ([ROOT / "tests" / "fixtures" / "pdf"], OTHER_TEMPLATE_QUESTIONS + gold),
    }
    if with_all:
        sets["all"] = ([corpus_dir / p.name for p in corpus_dir.glob("*.txt")] + [corpus_dir / "extra"],
                       OTHER_TEMPLATE_QUESTIONS + gold)
    _answer_sets(sets, out, state)


def _answer_sets(sets: dict[str, tuple[list[Path], list[str]]], out: Path, state: Path) -> None:
    config = IndexConfig.from_env()
    for name, (paths, questions) in sets.items():
        index_dir = state / f"snapshot-{name}"
        build_index(paths, index_dir, config, show_bars=False)
        (out / "answers" / f"{name}.jsonl").write_text(_answers(index_dir, questions), encoding="utf-8")
        print(f"answered {len(questions)} questions over {name}", flush=True)


def write_gold_answers(names: list[str], out: Path, state: Path) -> None:
    """Each named gold set's questions (evaluation/gold/sets.json), answered over its own corpus."""
    from evaluation.sets import load_sets

    manifest = load_sets()
    sets = {}
    for name in names:
        gold = manifest.get(name)
        sets[f"gold-{name}"] = (gold.corpus_paths(), [q.question for q in gold.load_questions()])
    _answer_sets(sets, out, state)


def compare(before: Path, after: Path) -> int:
    a = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    b = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    bad = 0
    for p in sorted(a ^ b):
        print(f"only in {'before' if p in a else 'after'}: {p}")
        bad += 1
    for p in sorted(a & b):
        x, y = (before / p).read_text(encoding="utf-8"), (after / p).read_text(encoding="utf-8")
        if x != y:
            bad += 1
            diff = list(difflib.unified_diff(x.splitlines(), y.splitlines(), "before", "after", n=1, lineterm=""))
            print(f"DIFFERS: {p}\n" + "\n".join(diff[:40]))
    print(f"{len(a & b)} files compared, {bad} differ")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("--corpus-dir", type=Path, default=ROOT.parent / "shared" / "corpus")
    w.add_argument("--state", type=Path, default=ROOT / ".budgetqa", help="where the snapshot indexes are built")
    w.add_argument("--no-all", action="store_true", help="skip the index over every document")
    w.add_argument("--no-answers", action="store_true")
    w.add_argument("--no-documents", action="store_true", help="skip parsing and dumping the documents")
    w.add_argument("--gold-sets", default="", help="also answer these gold sets over their corpora "
                   "(comma-separated names from evaluation/gold/sets.json, e.g. seed,multi-dev)")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare(args.before, args.after)
    for sub_dir in ("documents", "facts", "nodes", "answers"):
        (args.out / sub_dir).mkdir(parents=True, exist_ok=True)
    if not args.no_documents:
        write_documents(_documents(args.corpus_dir), args.out)
    if not args.no_answers:
        write_answers(args.corpus_dir, args.out, args.state, not args.no_all)
    if args.gold_sets:
        write_gold_answers([n for n in args.gold_sets.split(",") if n], args.out, args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
