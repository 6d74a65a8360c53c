"""Hostile files through the upload path and `python -m index build`: time and peak memory.

    python benchmarks/hostile.py [--keep DIR]

Builds the issue's files in a temporary folder (issue 11, item 6):

- `rows-300k.xlsx`: a workbook of 300,000 rows × 7 cells (under the 20 MB upload limit);
- `big-200mb.txt`: the seed budget repeated to 200 MB;
- `bomb.docx`: a zip whose one member inflates to 1 GB of zeros (about 1 MB on disk);

and feeds each, in a subprocess of its own, (1) to the staff page's upload path
(`qa.staff.upload_document` over an engine on a fresh seed index) and (2) to
`python -m index build FILE --out DIR`. Prints for each: what happened (the message's first
line), the child's wall time (most of it is start-up: imports and loading the engine; the
upload's own time is printed beside it) and peak RSS (`os.wait4`'s rusage of that child
alone). The first rows are the references: the same two paths with the seed budget. Not a
test: figures depend on the machine (README, "Hostile files").
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "data" / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt"
MB = 1024 * 1024

UPLOAD = """
import re, sys, time
from qa.service import EngineService, default_engine_factory
from qa.staff import upload_document
service = EngineService(default_engine_factory(sys.argv[1]), data_dir=sys.argv[2])
service.engine()
started = time.perf_counter()
ok, status, *_ = upload_document(service, sys.argv[3])
print(f"{time.perf_counter() - started:.2f}\t" + re.sub(r"<[^>]+>|\\\\", "", status))
"""

XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet'
    '+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="支出" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def rows_xlsx(path: Path, rows: int) -> Path:
    """A valid workbook of `rows` rows (a code, a label, five figures), written as raw XML:
    openpyxl would take minutes to write it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in XLSX_PARTS.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main"><sheetData>')
            for r in range(1, rows + 1):
                cells = f'<c r="A{r}" t="inlineStr"><is><t>{2010000 + r}</t></is></c>' + "".join(
                    f'<c r="{col}{r}"><v>{r % 997 + i}.5</v></c>' for i, col in enumerate("BCDEFG"))
                fh.write(f'<row r="{r}">{cells}</row>'.encode())
            fh.write(b"</sheetData></worksheet>")
    return path


def big_text(path: Path, megabytes: int) -> Path:
    chunk = SEED.read_bytes()
    with path.open("wb") as fh:
        while fh.tell() < megabytes * MB:
            fh.write(chunk)
    return path


def zip_bomb(path: Path, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open("word/document.xml", "w",
                                                                       force_zip64=True) as fh:
        block = b"\0" * MB
        for _ in range(megabytes):
            fh.write(block)
    return path


def run(args: list[str], cwd: Path) -> tuple[int, str, float, float]:
    """(exit status, first line of the last output, seconds, peak RSS in MB) of one child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    out = tempfile.TemporaryFile()
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    lines = [ln for ln in out.read().decode("utf-8", "replace").splitlines() if ln.strip() and "it/s]" not in ln]
    said = lines[-1].strip() if lines else ""
    return child.returncode, said, seconds, usage.ru_maxrss / 1024   # ru_maxrss is in KB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", help="build the files in this folder and keep them")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="budgetqa-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        files = {"seed budget (reference)": SEED}
        for label, make in (("xlsx, 300,000 rows", lambda: rows_xlsx(work / "rows-300k.xlsx", 300_000)),
                            ("txt, 200 MB", lambda: big_text(work / "big-200mb.txt", 200)),
                            ("zip bomb, 1 GB member", lambda: zip_bomb(work / "bomb.docx", 1024))):
            started = time.perf_counter()
            files[label] = path = make()
            print(f"built {path.name}: {path.stat().st_size / MB:.1f} MB in {time.perf_counter() - started:.1f} s",
                  flush=True)
        index = work / "seed-index"
        code, said, seconds, rss = run([sys.executable, "-m", "index", "build", str(SEED), "--out", str(index)], ROOT)
        print(f"seed index built for the upload path: {seconds:.1f} s, {rss:.0f} MB ({said})\n", flush=True)
        print(f"{'file':<26} {'path':<12} {'seconds':>8} {'peak MB':>8}  result")
        for label, path in files.items():
            uploads = work / "uploads"
            shutil.rmtree(uploads, ignore_errors=True)
            code, said, seconds, rss = run([sys.executable, "-c", UPLOAD, str(index), str(uploads), str(path)], ROOT)
            took, _, said = said.partition("\t")
            print(f"{label:<26} {'upload':<12} {seconds:8.1f} {rss:8.0f}  ({took} s in upload_document) {said[:150]}",
                  flush=True)
            out = work / "build-out"
            shutil.rmtree(out, ignore_errors=True)
            code, said, seconds, rss = run([sys.executable, "-m", "index", "build", str(path), "--out", str(out)], ROOT)
            print(f"{'':<26} {'index build':<12} {seconds:8.1f} {rss:8.0f}  exit {code}: {said[:150]}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
