"""Who may do what (issue 11, item 9): the staff page needs sign-in with a hashed account from
the environment or a file, an upload without it is refused in Chinese, and the `--public` page
has no path to change the index — each tried through the running server's API (HTTP and
gradio_client), not only its layout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import DOC_ID, RECEPTION, ROOT, SEED_ROW, free_port, variant  # noqa: E402
from qa.service import (  # noqa: E402
    NO_STAFF_MESSAGE, NOT_SIGNED_IN_MESSAGE, EngineService, StaffAccounts, StaffConfigError, default_engine_factory,
    hash_password, staff_line, verify_password,
)

NAME, PASSWORD = "zhangsan", "预算-staff-口令-2024"


@pytest.fixture(scope="module")
def accounts() -> StaffAccounts:
    return StaffAccounts.parse(staff_line(NAME, PASSWORD))


@pytest.fixture(scope="module")
def index_copy(seed_index, tmp_path_factory):
    """A copy of the seed index that these tests may upload into."""
    out = tmp_path_factory.mktemp("auth") / "index"
    shutil.copytree(seed_index, out, symlinks=True)
    return out


def service_over(index, tmp_path) -> EngineService:
    service = EngineService(default_engine_factory(index), data_dir=tmp_path / "uploads")
    service.engine()
    return service


def start(service: EngineService, public: bool = False, staff: StaffAccounts | None = None):
    demo = app.build_app(service, public=public, staff=staff)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True, service=service, staff=staff)
    return demo, url.rstrip("/")


def http(method: str, url: str, body: dict | None = None) -> tuple[int, str]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


# ---------------------------------------------------------------------------------------
# Accounts: salted hashes, never plain text
# ---------------------------------------------------------------------------------------

def test_password_hash_is_salted_and_verifies():
    one, two = hash_password(PASSWORD), hash_password(PASSWORD)
    assert one != two and PASSWORD not in one and one.startswith("scrypt$")
    assert verify_password(one, PASSWORD) and verify_password(two, PASSWORD)
    assert not verify_password(one, PASSWORD + "x") and not verify_password(one, "")
    assert not verify_password("scrypt$garbage", PASSWORD) and not verify_password(PASSWORD, PASSWORD)


def test_accounts_from_environment_and_file(tmp_path, accounts):
    assert accounts.check(NAME, PASSWORD)
    assert not accounts.check(NAME, "wrong") and not accounts.check("lisi", PASSWORD)
    line = staff_line("lisi", "另一个口令")
    env = StaffAccounts.from_env({"BUDGETQA_STAFF": staff_line(NAME, PASSWORD) + " " + line})
    assert env.check(NAME, PASSWORD) and env.check("lisi", "另一个口令")
    file = tmp_path / "staff"
    file.write_text(f"# 工作人员账号\n{line}  # 李四\n", encoding="utf-8")
    from_file = StaffAccounts.from_env({"BUDGETQA_STAFF_FILE": str(file)})
    assert from_file.check("lisi", "另一个口令") and not from_file.check(NAME, PASSWORD)
    assert StaffAccounts.from_env({}, file=file).check("lisi", "另一个口令")
    with pytest.raises(StaffConfigError, match="找不到工作人员账号文件"):
        StaffAccounts.from_env({"BUDGETQA_STAFF_FILE": str(tmp_path / "missing")})


def test_a_plain_text_password_is_refused():
    with pytest.raises(StaffConfigError, match="不是散列.*--hash-password zhangsan"):
        StaffAccounts.parse(f"{NAME}:{PASSWORD}")
    with pytest.raises(StaffConfigError, match="用户名:scrypt"):
        StaffAccounts.parse("just-a-word")


def test_who_may_change_the_index(accounts):
    assert StaffAccounts().may_change(NAME) == NO_STAFF_MESSAGE
    assert accounts.may_change(None) == NOT_SIGNED_IN_MESSAGE
    assert accounts.may_change("lisi") == NOT_SIGNED_IN_MESSAGE
    assert accounts.may_change(NAME) is None
    ok, status, *_ = app.upload_document(None, "x.txt", refusal=NOT_SIGNED_IN_MESSAGE)  # type: ignore[arg-type]
    assert not ok and "只有已登录的工作人员" in status


def test_hash_password_cli_prints_an_account_line():
    run = subprocess.run([sys.executable, str(ROOT / "app.py"), "--hash-password", NAME], input=PASSWORD + "\n",
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    line = run.stdout.strip()
    assert line.startswith(f"{NAME}:scrypt$") and PASSWORD not in line
    assert StaffAccounts.parse(line).check(NAME, PASSWORD)


def test_the_repository_holds_no_account_file():
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT).stdout.split()
    assert not [f for f in tracked if f.endswith(("/staff", "staff.txt")) or f == ".budgetqa/staff"]


# ---------------------------------------------------------------------------------------
# The running servers, through their API
# ---------------------------------------------------------------------------------------

def test_public_page_has_no_path_to_change_the_index(index_copy, tmp_path):
    service = service_over(index_copy, tmp_path)
    before = [d.doc_id for d in service.documents()]
    demo, url = start(service, public=True)
    try:
        status, text = http("GET", f"{url}/gradio_api/info")
        assert status == 200
        info = json.loads(text)
        assert set(info["named_endpoints"]) == {"/ask"}        # no upload, delete or reindex
        assert not info.get("unnamed_endpoints")
        status, text = http("GET", f"{url}/config")
        config = json.loads(text)
        types = {c.get("type") for c in config["components"]}
        assert not types & {"file", "uploadbutton", "files"}  # nothing on the page takes a file
        names = {d.get("api_name") or "" for d in config["dependencies"]}
        assert not [n for n in names if re.search("upload|add|delete|remove|reindex|build", n)], names
        for name in ("upload", "on_upload", "delete", "reindex"):
            status, text = http("POST", f"{url}/gradio_api/call/{name}", {"data": [None]})
            assert status >= 400, (name, status, text)
        # every event the page has, called by number, leaves the index as it was
        for fn_index, _ in enumerate(config["dependencies"]):
            http("POST", f"{url}/gradio_api/queue/join",
                 {"data": ["公务接待费是多少", [], ""], "fn_index": fn_index, "session_hash": f"s{fn_index}"})
        from gradio_client import Client

        client = Client(url, verbose=False)
        result = client.predict(RECEPTION.question, None, api_name="/ask")
        assert (result["value"], result["unit"]) == (0.5, "万元")
        with pytest.raises(Exception):
            client.predict(str(ROOT / "corpus" / "data"), api_name="/upload")
    finally:
        demo.close()
    assert [d.doc_id for d in service.documents()] == before == [DOC_ID]
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_staff_page_without_accounts_refuses_uploads_in_chinese(index_copy, tmp_path, seed_path):
    from gradio_client import Client, handle_file

    service = service_over(index_copy, tmp_path)
    demo, url = start(service, staff=StaffAccounts())
    try:
        client = Client(url, verbose=False)
        status, findings, *_ = client.predict(handle_file(str(seed_path)), api_name="/upload")
        assert "上传已停用" in status and "--hash-password" in status and findings == ""
        status, *_ = client.predict(DOC_ID, api_name="/remove")
        assert "上传已停用" in status
        assert client.predict(RECEPTION.question, None, api_name="/ask")["value"] == 0.5   # answering goes on
    finally:
        demo.close()
    assert [d.doc_id for d in service.documents()] == [DOC_ID]
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_staff_page_needs_sign_in(index_copy, tmp_path, accounts):
    from gradio_client import Client, handle_file

    service = service_over(index_copy, tmp_path)
    demo, url = start(service, staff=accounts)
    try:
        # not signed in: every Gradio endpoint says why, in Chinese; asking over POST /api/ask stays open
        status, text = http("POST", f"{url}/gradio_api/call/upload", {"data": [None]})
        assert status == 401 and "请用工作人员账号登录" in json.loads(text)["detail"]["auth_message"]
        status, text = http("POST", f"{url}/gradio_api/call/ask", {"data": [RECEPTION.question, None]})
        assert status == 401
        status, text = http("POST", f"{url}/api/ask", {"question": RECEPTION.question})
        assert status == 200 and json.loads(text)["value"] == 0.5
        with pytest.raises(Exception):
            Client(url, auth=(NAME, "wrong"), verbose=False)
        # signed in: the upload reaches the engine (a broken file: its Chinese message, nothing changes)
        client = Client(url, auth=(NAME, PASSWORD), verbose=False)
        broken = tmp_path / "broken-budget.xlsx"
        broken.write_bytes(b"PK\x03\x04 definitely not a workbook")
        status_md, _, *_ = client.predict(handle_file(str(broken)), api_name="/upload")
        assert "无法导入 broken-budget.xlsx" in status_md
        assert client.predict(RECEPTION.question, None, api_name="/ask")["value"] == 0.5
    finally:
        demo.close()
    assert [d.doc_id for d in service.documents()] == [DOC_ID]


def test_signed_in_staff_replace_and_remove_documents_through_the_api(index_copy, tmp_path, accounts, seed_path):
    """Through the running staff page: an upload of the same department, year and kind asks
    first and replaces on confirmation; a removal takes the document out of the index; without
    sign-in both are refused (401), and the public page has no such endpoint (above)."""
    from gradio_client import Client, handle_file

    out = tmp_path / "index"
    shutil.copytree(index_copy, out, symlinks=True)
    service = service_over(out, tmp_path)
    other = variant(seed_path, tmp_path / "in", "2023_demo-park_budget", "武汉经济技术开发区示范园管理办公室", 2023, "0.80")
    revised = tmp_path / "in" / "revised.txt"
    revised.write_text(seed_path.read_text(encoding="utf-8").replace(SEED_ROW, "5.64\t0.00\t5.04\t0.00\t5.04\t0.60"),
                       encoding="utf-8")
    demo, url = start(service, staff=accounts)
    try:
        for name in ("remove", "upload_replace"):
            status, _ = http("POST", f"{url}/gradio_api/call/{name}", {"data": [DOC_ID]})
            assert status == 401
        client = Client(url, auth=(NAME, PASSWORD), verbose=False)
        status_md, *_ = client.predict(handle_file(str(other)), api_name="/upload")
        assert "已导入" in status_md
        status_md, _, replace_button, add_part, *_ = client.predict(handle_file(str(revised)), api_name="/upload")
        assert "替换" in status_md and "revised.txt" in status_md and sorted(d.doc_id for d in service.documents()) \
            == ["2023_demo-park_budget", DOC_ID]
        status_md, *_ = client.predict(handle_file(str(revised)), api_name="/upload_replace")
        assert "已用 revised.txt 替换" in status_md
        assert client.predict("公务接待费是多少", "revised", api_name="/ask")["value"] == 0.6
        status_md, *_ = client.predict("2023_demo-park_budget", api_name="/remove")
        assert "已删除" in status_md
        assert client.predict("2023年的公务接待费是多少", None, api_name="/ask")["value"] is None
    finally:
        demo.close()
    assert sorted(d.doc_id for d in service.documents()) == ["revised"]


def test_the_staff_page_does_not_start_with_a_plain_text_password_or_a_missing_file(monkeypatch, tmp_path):
    monkeypatch.setenv("BUDGETQA_STAFF", f"{NAME}:{PASSWORD}")
    with pytest.raises(SystemExit, match="不是散列"):
        app.main(["--port", str(free_port())])
    monkeypatch.delenv("BUDGETQA_STAFF")
    with pytest.raises(SystemExit, match="找不到工作人员账号文件"):
        app.main(["--staff-file", str(tmp_path / "missing"), "--port", str(free_port())])
