"""The document model as plain JSON-ready data (Decimals as strings, so no digit is lost)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .model import BudgetDocument, Field, Finding, KeyValueRecord, Location, Paragraph, Row, Table


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def location_dict(loc: Location) -> dict[str, Any]:
    return {k: v for k, v in (("source", loc.source), ("page", loc.page), ("line", loc.line), ("sheet", loc.sheet)) if v is not None}


def row_dict(row: Row) -> dict[str, Any]:
    return {
        "id": row.id, "code": row.code, "label": row.label, "level": row.level, "parent": row.parent,
        "is_total": row.is_total, "location": location_dict(row.location),
        "cells": [{"column": list(c.column), "raw": c.raw, "value": _num(c.value), "unit": c.unit} for c in row.cells],
    }


def table_dict(table: Table) -> dict[str, Any]:
    return {
        "id": table.id, "key": table.key, "part": table.part, "title": table.title, "unit": table.unit,
        "kind": table.kind, "empty": table.empty, "section": list(table.section), "notes": list(table.notes),
        "location": location_dict(table.location), "columns": [list(p) for p in table.columns],
        "rows": [row_dict(r) for r in table.rows],
    }


def _field(f: Field) -> dict[str, Any]:
    return {"key": f.key, "raw": f.raw, "value": _num(f.value), "unit": f.unit}


def record_dict(record: KeyValueRecord) -> dict[str, Any]:
    return {
        "id": record.id, "table": record.table_id, "form": record.form, "title": record.title, "unit": record.unit,
        "location": location_dict(record.location), "fields": [_field(f) for f in record.fields],
        "subtables": [{"name": name, "rows": [[_field(f) for f in row] for row in rows]} for name, rows in record.subtables],
    }


def paragraph_dict(p: Paragraph) -> dict[str, Any]:
    return {"section": list(p.section), "text": p.text, "location": location_dict(p.location)}


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "check": f.check, "severity": f.severity, "message": f.message, "table": f.table, "row": f.row,
        "column": list(f.column) if f.column else None, "expected": _num(f.expected), "actual": _num(f.actual),
        "location": location_dict(f.location),
    }


def document_dict(doc: BudgetDocument) -> dict[str, Any]:
    return {
        "document": {
            "doc_id": doc.doc_id, "title": doc.title, "department": doc.department, "year": doc.year,
            "doc_type": doc.doc_type, "kind": doc.kind, "level": doc.level, "region": doc.region,
            "publication": doc.publication, "source": doc.source, "sources": list(doc.sources), "sha256": doc.sha256,
            "sections": [" > ".join(s.path) for s in doc.sections],
        },
        "tables": [table_dict(t) for t in doc.tables],
        "paragraphs": [paragraph_dict(p) for p in doc.paragraphs],
        "records": [record_dict(r) for r in doc.records],
        "findings": [finding_dict(f) for f in doc.findings],
    }
