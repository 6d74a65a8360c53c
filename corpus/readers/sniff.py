"""What a file's bytes say it is (magic bytes), and which reader that means.

A spreadsheet is read by what its bytes are, not by its name: Excel saves an old workbook
under .xlsx and a new one under .xls, and many sites serve an HTML table as an "Excel
export" named .xls. Every other format is read as its name says, and a file that is not
what its name claims gets that reader's own error message.
"""

from __future__ import annotations

from typing import Literal

from ..blocks import ParseError

Format = Literal["txt", "pdf", "xlsx", "xls", "docx", "html"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, .doc, encrypted OOXML
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")  # present in password-protected OOXML


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def is_ole(data: bytes) -> bool:
    return data.startswith(OLE_MAGIC)


def is_encrypted_ooxml(data: bytes) -> bool:
    """Excel and Word save a password-protected .xlsx/.docx as an OLE file, not a zip."""
    return is_ole(data) and _ENCRYPTION_STREAM in data


def looks_like_html(data: bytes) -> bool:
    """Many sites serve an HTML table under a .xls name; sniff instead of failing."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and (b"<table" in data[:200_000].lower() or b"<html" in head)


def actual_format(claimed: Format, data: bytes) -> Format:
    """The reader for `data`, given the format its name claims."""
    if claimed not in ("xlsx", "xls"):
        return claimed
    if is_ole(data):
        return "xls"
    if is_zip(data):
        return "xlsx"
    if looks_like_html(data):
        return "html"
    return claimed  # neither: that reader says the file is not a valid workbook


def password_error(name: str, app: str) -> ParseError:
    return ParseError(
        f"{name}: the file is password-protected (encrypted); open it in {app}, "
        "remove the password, save it and load it again."
    )
