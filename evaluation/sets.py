"""Gold sets and the corpus each is asked against: `evaluation/gold/sets.json`.

A gold question is only meaningful against the documents it was written from, so a set names
its question files (globs under evaluation/gold/) and its corpus (files or folders under the
project root), and whether it is for development or held out. The manifest also groups
publications into publishing templates (by publication-id patterns) for reporting.

Like `load_gold`, loading reports every problem at once as `file:line: what is wrong — what
to do`.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import SUPPORTED_SUFFIXES
from evaluation.gold import GoldError, GoldQuestion, load_gold

GOLD_DIR = Path(__file__).resolve().parent / "gold"
PROJECT_ROOT = GOLD_DIR.parent.parent
SETS_FILE = GOLD_DIR / "sets.json"
DEFAULT_SET = "seed"
SPLITS = ("dev", "holdout")
CROSS_TEMPLATE = "跨模板"   # a question over publications of different templates
NO_TEMPLATE = "其他"        # a publication no template pattern names

_SET_KEYS = {"questions", "corpus", "split", "description"}
# "02_shanghai_…_2024_bumen_yusuan.pdf" and "jiangsu_…_2019_bumen_yusuan_wenjian.pdf" are the
# publications "shanghai_…_2024_bumen_yusuan" and "jiangsu_…_2019_bumen_yusuan". A four-digit
# prefix is a year and part of the name ("2024_wuhan-jkq_…_budget").
_ORDINAL = re.compile(r"^\d{1,3}_")
_PART = re.compile(r"_(wenjian|biaoge)$")


def publication_id(path: str | Path) -> str:
    """The publication a file belongs to, as gold questions name it in `document`: the file
    stem without a leading ordinal and without the 文件/表格 part of a split publication."""
    return _PART.sub("", _ORDINAL.sub("", Path(path).stem))


@dataclass(frozen=True)
class Template:
    name: str
    patterns: tuple[str, ...]  # fnmatch patterns on publication ids

    def names(self, document: str) -> bool:
        return any(fnmatch.fnmatchcase(document, p) for p in self.patterns)


@dataclass(frozen=True)
class GoldSet:
    name: str
    questions: tuple[str, ...]  # globs relative to evaluation/gold/
    corpus: tuple[str, ...]     # files or folders relative to the project root
    split: str                  # "dev" or "holdout"
    description: str = ""
    source: str = str(SETS_FILE)  # where the set is defined, for messages

    @property
    def held_out(self) -> bool:
        return self.split == "holdout"

    def question_files(self) -> list[Path]:
        """The question files, in a stable order; a pattern that matches nothing is an error
        (a set that silently asks nothing would report 100 %)."""
        files: list[Path] = []
        empty: list[str] = []
        for pattern in self.questions:
            matched = sorted(GOLD_DIR.glob(pattern))
            if not matched:
                empty.append(pattern)
            files.extend(m for m in matched if m not in files)
        if empty:
            raise GoldError(f"{self.source}: set {self.name!r}: no question file matches "
                            f"{', '.join(repr(p) for p in empty)} under {GOLD_DIR}; add the files or fix the pattern")
        return files

    def corpus_paths(self) -> list[Path]:
        return [PROJECT_ROOT / c for c in self.corpus]

    def corpus_files(self) -> list[Path]:
        """Every document file of the corpus (folders are read one level deep, like the index)."""
        files = []
        for path in self.corpus_paths():
            if path.is_dir():
                files.extend(sorted(f for f in path.iterdir() if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES))
            elif path.is_file():
                files.append(path)
        return files

    def load_questions(self) -> list[GoldQuestion]:
        """Every question of the set, checked against the set's corpus: ids unique across
        files, and every `document` and `expected_files` entry present in the corpus."""
        files = self.question_files()
        questions: list[GoldQuestion] = []
        errors: list[str] = []
        where: dict[str, Path] = {}
        for path in files:
            try:
                loaded = load_gold(path)
            except GoldError as exc:
                errors.append(str(exc).removeprefix("invalid gold file:\n"))
                continue
            for q in loaded:
                if q.id in where:
                    errors.append(f"{path}: id {q.id!r} is also in {where[q.id]}; ids must be unique within a set")
                    continue
                where[q.id] = path
                questions.append(q)
        files = self.corpus_files()
        errors += [f"{where[q.id]}: {problem}" for q in questions for problem in self.corpus_problems(q, files)]
        if errors:
            raise GoldError(f"set {self.name!r} cannot be used:\n" + "\n".join(errors))
        return questions

    def corpus_problems(self, question: GoldQuestion, files: list[Path] | None = None) -> list[str]:
        """What a question names that its corpus does not hold (`files`: the corpus files, when known)."""
        files = self.corpus_files() if files is None else files
        publications = {publication_id(f) for f in files}
        names = {f.name for f in files}
        where = f"{question.id}: "
        corpus = ", ".join(self.corpus)
        problems = [f"{where}document {d!r} is not a publication in the corpus ({corpus}); check the id "
                    "against the file names (without ordinal prefix or _wenjian/_biaoge)"
                    for d in question.documents if d not in publications]
        problems += [f"{where}expected file {f!r} is not in the corpus ({corpus})"
                     for f in question.expected_files if f not in names]
        return problems


@dataclass(frozen=True)
class Manifest:
    sets: tuple[GoldSet, ...]
    templates: tuple[Template, ...]
    source: str = str(SETS_FILE)

    def get(self, name: str) -> GoldSet:
        for s in self.sets:
            if s.name == name:
                return s
        raise GoldError(f"no gold set {name!r} in {self.source}; choose from {', '.join(s.name for s in self.sets)}")

    def template_of_document(self, document: str) -> str:
        return next((t.name for t in self.templates if t.names(document)), NO_TEMPLATE)

    def template_of(self, question: GoldQuestion) -> str:
        """The template of the question's publication(s); a question across templates is its own group."""
        names = {self.template_of_document(d) for d in question.documents}
        return names.pop() if len(names) == 1 else CROSS_TEMPLATE


def load_sets(path: str | Path = SETS_FILE) -> Manifest:
    """Read and validate the manifest; raise `GoldError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read the gold-set manifest: {exc}") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict) or set(obj) != {"sets", "templates"}:
        raise GoldError(f"{path}:1: expected an object with exactly the keys \"sets\" and \"templates\"")
    errors: list[str] = []
    sets = _sets(obj["sets"], text, path, errors)
    templates = _templates(obj["templates"], text, path, errors)
    if errors:
        raise GoldError("invalid gold-set manifest:\n" + "\n".join(errors))
    return Manifest(tuple(sets), tuple(templates), str(path))


def _line_of(text: str, key: str) -> int:
    """The line where `"key"` first appears: JSON parsers do not keep positions."""
    index = text.find(json.dumps(key, ensure_ascii=False))
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _sets(raw: Any, text: str, path: Path, errors: list[str]) -> list[GoldSet]:
    if not isinstance(raw, dict) or not raw:
        errors.append(f"{path}:{_line_of(text, 'sets')}: \"sets\" must be a non-empty object of name → set")
        return []
    out = []
    for name, spec in raw.items():
        where = f"{path}:{_line_of(text, name)}: set {name!r}"
        problems = _set_problems(spec)
        if problems:
            errors.extend(f"{where}: {p}" for p in problems)
            continue
        gold_set = GoldSet(name, tuple(spec["questions"]), tuple(spec["corpus"]), spec["split"],
                           spec.get("description", ""), f"{path}:{_line_of(text, name)}")
        missing = [c for c, p in zip(gold_set.corpus, gold_set.corpus_paths()) if not p.exists()]
        if missing:
            errors.append(f"{where}: corpus {', '.join(missing)} does not exist under {PROJECT_ROOT}; "
                          "copy the documents there or fix the path")
        out.append(gold_set)
    return out


def _set_problems(spec: Any) -> list[str]:
    if not isinstance(spec, dict):
        return ["must be an object with questions, corpus and split"]
    problems = []
    missing = sorted({"questions", "corpus", "split"} - set(spec))
    if missing:
        problems.append(f"missing key(s) {', '.join(missing)}")
    unknown = sorted(set(spec) - _SET_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_SET_KEYS))}")
    for key in ("questions", "corpus"):
        value = spec.get(key)
        if key in spec and (not isinstance(value, list) or not value
                            or not all(isinstance(v, str) and v.strip() for v in value)):
            problems.append(f"{key} must be a non-empty list of paths, got {value!r}")
    if "split" in spec and spec["split"] not in SPLITS:
        problems.append(f"split must be one of {', '.join(SPLITS)}, got {spec['split']!r}")
    return problems


def _templates(raw: Any, text: str, path: Path, errors: list[str]) -> list[Template]:
    if not isinstance(raw, dict):
        errors.append(f"{path}:{_line_of(text, 'templates')}: \"templates\" must be an object of name → patterns")
        return []
    out = []
    for name, patterns in raw.items():
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
            errors.append(f"{path}:{_line_of(text, name)}: template {name!r}: patterns must be a non-empty list "
                          f"of publication-id patterns such as \"shanghai_*\", got {patterns!r}")
            continue
        out.append(Template(name, tuple(patterns)))
    return out
