"""The engine as a web page needs it, without gradio: one engine shared by all sessions and
created on first use, its answers remembered per index, the check of questions, the staging
of uploads and removals (what an upload must be: `qa.uploads`), and the staff accounts that
may change the index (salted scrypt hashes).

app.py is a thin layer of layout and events over this module; the engine is reached only
through `AnswerEngine`, the four methods the page calls.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

from corpus import BudgetDocument, Finding
from corpus.facts import DocumentInfo
from index.config import STATE_DIR
from index.live import SourceFinding

from .analyze import validate_question
from .answer import Answer
from .engine import Engine
from .uploads import (  # noqa: F401 — the upload checks, re-exported for app.py
    FORMATS, MAX_FILENAME_CHARS, MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, InputError, UploadResult, check_upload, compare,
    internal_error_message, parse_upload, sanitize_filename, unreadable_message,
)

log = logging.getLogger("budgetqa.app")

ANSWER_CACHE_SIZE = 2048   # answers kept per loaded index (a few MB)
INDEX_CHECK_SECONDS = 0.5  # how often a cached answer checks that its index is still the one in use
STAGING_PREFIX = ".incoming-"  # data_dir/.incoming-PID/: uploads not yet in the index

Progress = Callable[[str, float], None]
"""How the engine reports a long task: (stage, fraction done)."""


class AnswerEngine(Protocol):
    """What the page needs of `qa.Engine`; tests pass a small fake."""

    def ensure_index(self, progress: Progress | None = None) -> None:
        """Build the index on first use."""

    def catalogue(self) -> Sequence[DocumentInfo]:
        """Every loaded document as the fact store lists it (no parsed document read)."""

    def parsed(self) -> Mapping[str, BudgetDocument]:
        """doc_id → the document as parsed, read when asked for."""

    def answer(self, question: str, doc_ids: set[str] | None = None) -> Answer:
        """The answer to one question, over the given documents or all."""

    def add_document(self, path: Path, progress: Progress | None = None, source: Path | None = None,
                     parsed: BudgetDocument | None = None,
                     replaces: str | None = None) -> tuple[BudgetDocument, Sequence[Finding]]:
        """Add a file to the index (as `parsed` when given, else parsed here), known by
        `source` (where it will live) when given, in place of document `replaces` when given;
        raises corpus.ParseError for a bad file."""

    def remove_document(self, doc_id: str, progress: Progress | None = None) -> None:
        """Take a document out of the index (one atomic rebuild)."""

    def source_findings(self) -> Sequence[SourceFinding]:
        """The indexed documents whose files are gone or changed (the index still answers)."""


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------

def check_question(text: str | None) -> str:
    """The question, stripped; raises InputError with `qa.analyze.validate_question`'s
    message when it cannot be asked (empty, too long, no text)."""
    question = (text or "").strip()
    problem = validate_question(question)
    if problem:
        raise InputError(problem)
    return question


# --------------------------------------------------------------------------------------
# Staff accounts: who may change the index
# --------------------------------------------------------------------------------------

STAFF_FILE = STATE_DIR / "staff"   # default account file (outside the source tree, never committed)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
USERNAME = re.compile(r"[\w.@\-]{1,64}")

NO_STAFF_MESSAGE = ("上传已停用：本实例没有配置工作人员账号。请管理员用 python app.py --hash-password 用户名 "
                    "生成口令散列，写入 BUDGETQA_STAFF 环境变量或账号文件（BUDGETQA_STAFF_FILE，默认 .budgetqa/staff），"
                    "再重启本页面并登录。")
NOT_SIGNED_IN_MESSAGE = "只有已登录的工作人员可以上传或更改文档。请用工作人员账号登录后再试。"
LOGIN_MESSAGE = "预算问答 · 工作人员页面：请用工作人员账号登录（上传文档、更新索引）。公众提问请使用公开页面。"


class StaffConfigError(ValueError):
    """An account line that is not `name:scrypt$…` (e.g. a plain-text password)."""


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$SALT$HASH` (base64): a salted, slow hash; the password is never stored."""
    if not password:
        raise ValueError("口令不能为空。")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        raise ValueError(scheme)
    return int(n), int(r), int(p), base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (constant-time comparison)."""
    try:
        n, r, p, salt, digest = _parse_hash(stored)
        got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(digest),
                             maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, digest)


def staff_line(username: str, password: str) -> str:
    """One account line, `name:scrypt$…`, for BUDGETQA_STAFF or the account file."""
    if not USERNAME.fullmatch(username or ""):
        raise ValueError("用户名只能由字母、数字、汉字和 . @ - _ 组成（最多 64 个字符）。")
    return f"{username}:{hash_password(password)}"


class StaffAccounts:
    """The staff who may sign in: name → salted hash. From `BUDGETQA_STAFF` (account lines,
    separated by new lines or spaces) and the account file (`BUDGETQA_STAFF_FILE`, default
    `.budgetqa/staff`; one line each, # for comments). A line that is not a hash is an error,
    so a plain-text password is never accepted."""

    def __init__(self, accounts: Mapping[str, str] | None = None):
        self.accounts = dict(accounts or {})
        for name, stored in self.accounts.items():
            try:
                _parse_hash(stored)
            except (ValueError, TypeError):
                raise StaffConfigError(f"工作人员账号 {name} 的口令不是散列；请用 python app.py --hash-password {name} "
                                       "生成账号行（不要写明文口令）。") from None

    def __bool__(self) -> bool:
        return bool(self.accounts)

    @classmethod
    def parse(cls, text: str) -> "StaffAccounts":
        accounts = {}
        words = [w for raw in text.splitlines() for w in raw.split("#", 1)[0].split()]   # base64 has no #
        for line in words:
            name, colon, stored = line.partition(":")
            if not colon or not name:
                raise StaffConfigError(f"无法读取工作人员账号行“{line[:20]}…”：应为 用户名:scrypt$…")
            accounts[name] = stored
        return cls(accounts)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, file: str | Path | None = None) -> "StaffAccounts":
        env = os.environ if environ is None else environ
        path = Path(file or env.get("BUDGETQA_STAFF_FILE") or STAFF_FILE)
        explicit = bool(file or env.get("BUDGETQA_STAFF_FILE"))
        text = env.get("BUDGETQA_STAFF") or ""
        if path.is_file():
            text += "\n" + path.read_text(encoding="utf-8")
        elif explicit:
            raise StaffConfigError(f"找不到工作人员账号文件 {path}。")
        return cls.parse(text)

    def check(self, username: str, password: str) -> bool:
        """Sign-in: the name is known and the password matches its hash."""
        stored = self.accounts.get(username)
        if stored is None:
            verify_password(hash_password("x", b"0" * 16), password or "")   # same time for unknown names
            return False
        return verify_password(stored, password or "")

    def may_change(self, username: str | None) -> str | None:
        """None when `username` (the signed-in user) may change the index; else why not, in Chinese."""
        if not self.accounts:
            return NO_STAFF_MESSAGE
        if not username or username not in self.accounts:
            return NOT_SIGNED_IN_MESSAGE
        return None


# --------------------------------------------------------------------------------------
# The shared engine
# --------------------------------------------------------------------------------------

def default_engine_factory(index_dir: str | Path | None = None) -> Callable[[], AnswerEngine]:
    """Makes `qa.Engine` over `index_dir` (default: the project's index) when called."""
    def make() -> AnswerEngine:
        return Engine(index_dir=index_dir)
    return make


class EngineService:
    """The one engine of the app: created on first use (explicitly, never at import),
    shared by all sessions; answers run concurrently, also while a document is being added
    (the engine swaps the new index in only when it is complete); uploads run one at a time.
    Uploaded files are stored in `data_dir` (`.budgetqa/uploads`, outside the source tree)
    and nowhere else."""

    def __init__(self, factory: Callable[[], AnswerEngine], data_dir: str | Path | None = None,
                 index_check_seconds: float = INDEX_CHECK_SECONDS):
        self._factory = factory
        self.data_dir = Path(data_dir) if data_dir else STATE_DIR / "uploads"
        self._upload_lock = threading.Lock()
        self._engine: AnswerEngine | None = None
        self._init_lock = threading.Lock()
        self.load_seconds: float | None = None
        self._answers: OrderedDict[tuple[str, frozenset[str] | None], Future[Answer]] = OrderedDict()
        self._answers_of: object = None          # the loaded index the cached answers are from
        self._answers_lock = threading.Lock()
        self._index_check_seconds = index_check_seconds
        self._index_checked = float("-inf")      # when the index in use was last looked at

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def engine(self, progress: Progress | None = None) -> AnswerEngine:
        """The engine, its index built (first run) and loaded; `progress(stage, fraction)`."""
        if self._engine is None:
            with self._init_lock:
                if self._engine is None:
                    start = time.perf_counter()
                    self.clean_staging()
                    engine = self._factory()
                    engine.ensure_index(progress=progress)   # builds the bundled corpus's index once
                    if progress:
                        progress("load", 1.0)
                    engine.catalogue()                         # loads the fact store
                    self.load_seconds = time.perf_counter() - start
                    log.info("engine ready in %.1f s", self.load_seconds)
                    self._engine = engine
        return self._engine

    def documents(self) -> list[DocumentInfo]:
        """The loaded documents as listed (department, year, kind, file): the catalogue and
        the selectors; none is read as parsed."""
        return list(self.engine().catalogue())

    def parsed(self) -> Mapping[str, BudgetDocument]:
        """doc_id → a loaded document as parsed, read when asked for: the tables an answer
        cites, the one the browser shows."""
        return self.engine().parsed()

    def loaded_message(self, documents: Sequence[DocumentInfo]) -> str:
        """The status line: how many documents, and how long the index took to load."""
        took = f"（索引载入用时 {self.load_seconds:.1f} s）" if self.load_seconds else ""
        return f"已加载 {len(documents)} 份文档。{took}"

    def source_notes(self) -> list[str]:
        """What staff should know about the indexed files: gone or changed since indexed."""
        return [f.message for f in self.engine().source_findings()]

    def ask(self, question: str, doc_ids: set[str] | None = None) -> Answer:
        """`answer`, with the app's wall time added as `timings["app_total"]`."""
        start = time.perf_counter()
        answer = self.answer(question, doc_ids)
        elapsed = time.perf_counter() - start
        return replace(answer, timings={**answer.timings, "app_total": elapsed})

    def cached(self, question: str, doc_ids: set[str] | None = None) -> Answer | None:
        """The remembered answer, if there is one and the index was looked at less than
        `index_check_seconds` ago; never blocks (no engine, no lock held for long), so an
        asynchronous handler may call it in its event loop and go to a thread only when it
        gets None."""
        if self._engine is None or time.monotonic() - self._index_checked >= self._index_check_seconds:
            return None
        with self._answers_lock:
            future = self._answers.get((question, frozenset(doc_ids) if doc_ids else None))
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    def answer(self, question: str, doc_ids: set[str] | None = None) -> Answer:
        """engine.answer, remembered per loaded index: an answer is a function of the question,
        the documents asked about and the index, so the same question over the same index is
        answered once and served again as it was (its `timings` are the first run's). Many
        users asking one new question at once wait for a single run of it. The cache empties
        when another build is put in use (an upload here, or by a staff instance sharing the
        folder; that instance notices within `index_check_seconds`: looking on every question
        (a file read under the index's lock) made 50 users queue behind one another). An engine
        without a `live_index` (a test's fake) is never cached."""
        engine = self.engine()
        now = time.monotonic()
        loaded = self._answers_of
        if loaded is None or now - self._index_checked >= self._index_check_seconds:
            loaded = _loaded_index(engine)
            self._index_checked = now
        if loaded is None:
            return engine.answer(question, doc_ids=doc_ids)
        key = (question, frozenset(doc_ids) if doc_ids else None)
        with self._answers_lock:
            if self._answers_of is not loaded:
                self._answers.clear()
                self._answers_of = loaded
            future = self._answers.get(key)
            mine = future is None
            if future is None:
                future = self._answers[key] = Future()
                while len(self._answers) > ANSWER_CACHE_SIZE:
                    self._answers.popitem(last=False)
            else:
                self._answers.move_to_end(key)
        if not mine:
            return future.result()
        try:
            answer = engine.answer(question, doc_ids=doc_ids)
        except BaseException as e:
            with self._answers_lock:
                if self._answers.get(key) is future:
                    del self._answers[key]    # a failure is not remembered
            future.set_exception(e)
            raise
        if _loaded_index(engine) is not loaded:   # the index changed meanwhile: answer, don't keep
            with self._answers_lock:
                if self._answers.get(key) is future:
                    del self._answers[key]
        future.set_result(answer)
        return answer

    def add_upload(self, src: str | Path, clean_name: str, progress: Progress | None = None,
                   decision: str = "ask") -> UploadResult:
        """Stage the upload, parse it once, and add it to the engine unless it is already
        loaded ("duplicate") or another document is for the same department, year and kind
        ("confirm": call again with `decision` "replace" or "add"). The file moves into place
        as data_dir/clean_name only once the index holds it, so a crash at any point leaves
        nothing that blocks uploading it again; a file of that name that no indexed document
        comes from (left by an earlier crash) is replaced. Raises InputError for a refused file
        and corpus.ParseError for one that cannot be read."""
        engine = self.engine()
        with self._upload_lock:
            dest = self.data_dir / clean_name
            loaded = list(engine.parsed().values())   # each read for the duplicate check, not kept
            staging = self.data_dir / f"{STAGING_PREFIX}{os.getpid()}"
            staging.mkdir(parents=True, exist_ok=True)
            staged = staging / clean_name
            shutil.copyfile(src, staged)
            try:
                doc = parse_upload(staged, clean_name, dest)
                outcome, existing = compare(doc, loaded)
                if outcome == "duplicate" or (outcome == "confirm" and decision not in ("replace", "add")):
                    return UploadResult(outcome, doc, existing=existing)
                replaced = existing if outcome == "confirm" and decision == "replace" else None
                same_name = next((d for d in loaded if _is_file(d, dest)), None)
                if same_name is not None and same_name is not replaced:
                    raise InputError(f"语料文件夹中已有同名文件 {clean_name}；请改名后再上传。")
                added, findings = engine.add_document(staged, progress=progress, source=dest, parsed=doc,
                                                      replaces=replaced.doc_id if replaced else None)
                self._index_checked = float("-inf")   # the next question sees the new index
                os.replace(staged, dest)
            finally:
                staged.unlink(missing_ok=True)
                staging.rmdir()
            if replaced is not None and not _is_file(replaced, dest):
                self._drop_upload(replaced)
        return UploadResult("replaced" if replaced else "added", added, tuple(findings), replaced)

    def remove_document(self, doc_id: str, progress: Progress | None = None) -> DocumentInfo:
        """Take a loaded document out of the index (one atomic rebuild, like an upload) and
        delete its uploaded file; a bundled file is left where it is. Raises InputError for an
        unknown document or the last one."""
        engine = self.engine()
        with self._upload_lock:
            loaded = engine.catalogue()
            doc = next((d for d in loaded if d.doc_id == doc_id), None)
            if doc is None:
                raise InputError(f"找不到文档 {doc_id}，它可能已被删除。请刷新页面后重新选择。")
            if len(loaded) == 1:
                raise InputError(f"《{doc.title}》是唯一的文档，不能删除：请先上传新的文档，再删除它。")
            engine.remove_document(doc_id, progress=progress)
            self._index_checked = float("-inf")
            self._drop_upload(doc)
        return doc

    def _drop_upload(self, doc: BudgetDocument | DocumentInfo) -> None:
        """Delete a document's file if it is an upload (in data_dir); the index keeps its own copy
        until the build that dropped it is cleaned away."""
        path = Path(doc.source)
        if path.parent.resolve() == self.data_dir.resolve():
            path.unlink(missing_ok=True)

    def clean_staging(self) -> None:
        """Remove the staged uploads of processes that died mid-upload (never another live
        instance's: a staff and a public instance may share the folder)."""
        if not self.data_dir.is_dir():
            return
        for folder in self.data_dir.glob(f"{STAGING_PREFIX}*"):
            pid = folder.name[len(STAGING_PREFIX):]
            if not (pid.isdigit() and _alive(int(pid))) or int(pid) == os.getpid():
                shutil.rmtree(folder, ignore_errors=True)


def _loaded_index(engine: Any) -> object | None:
    """The index `engine` answers from now (`qa.Engine.live_index.current()`: read again when
    the folder's CURRENT names another build), or None for an engine without one."""
    live = getattr(engine, "live_index", None)
    return live.current() if live is not None else None


def _is_file(doc: BudgetDocument, path: Path) -> bool:
    """Whether `doc` comes from the file at `path`."""
    return Path(doc.source).resolve() == path.resolve()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
