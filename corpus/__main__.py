"""`python -m corpus inspect PATH [--json]`: what the parser believes a document says."""

from __future__ import annotations

import argparse
import json
import sys

from . import ParseError, load
from .serialize import document_dict


def summary(doc) -> str:
    lines = [
        f"{doc.title}",
        f"  department: {doc.department or '?'}   year: {doc.year or '?'}   kind: {doc.kind or '?'}"
        f"   level: {doc.level or '?'}   region: {doc.region or '?'}",
        f"  source: {doc.source}   sha256: {doc.sha256[:12]}…",
        "",
        f"Tables ({len(doc.tables)}):",
    ]
    for t in doc.tables:
        state = "empty" if t.empty else f"{len(t.rows)} rows"
        lines.append(f"  {t.key:<12} {t.title}  [{t.unit or 'no unit'}; {state}; {len(t.columns)} columns]")
        for path in t.columns:
            lines.append(f"      - {' / '.join(path)}")
    lines += ["", f"Forms ({len(doc.records)}):"]
    lines += [f"  {r.id:<12} {r.title}  ({len(r.fields)} fields, {len(r.subtables)} blocks)" for r in doc.records]
    lines += ["", f"Sections ({len(doc.sections)}):"]
    lines += [f"  {' > '.join(s.path)}" for s in doc.sections]
    lines += ["", f"Paragraphs: {len(doc.paragraphs)}", "", f"Check findings ({len(doc.findings)}):"]
    lines += [f"  [{f.severity}] {f.message} ({f.location})" for f in doc.findings] or ["  none: every total adds up"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    inspect = sub.add_parser("inspect", help="parse a budget document and show what was found")
    inspect.add_argument("path", nargs="+", help="a budget file (txt, pdf, xlsx, xls, docx, html)")
    inspect.add_argument("--json", action="store_true", help="print the full structured document as JSON")
    args = parser.parse_args(argv)
    status = 0
    for path in args.path:
        try:
            doc = load(path)
        except ParseError as err:
            print(f"error: {err}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            print(json.dumps(document_dict(doc), ensure_ascii=False, indent=1))
        else:
            print(summary(doc))
    return status


if __name__ == "__main__":
    sys.exit(main())
