"""Bytes → text with the encoding detected (UTF-8, UTF-8 with BOM, GBK/GB18030 …), not assumed.

The one module that imports charset_normalizer; the txt and html readers share it.
"""

from __future__ import annotations

from ..blocks import ParseError


def decode_bytes(data: bytes, source: str) -> str:
    """Detect the encoding (UTF-8, UTF-8 with BOM, GBK/GB18030 …) rather than assume it."""
    if not data.strip():
        raise ParseError(f"{source}: the file is empty; export the budget again and retry")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312; strict decoding fails on binary garbage.
        text: str | None = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_text(text):
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not _looks_like_text(str(best)):
        raise ParseError(
            f"{source}: not readable as text in any known encoding (binary file?); "
            "supported formats are .txt, .pdf, .xlsx, .xls, .docx, .html"
        )
    return str(best)


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return control / len(text) < 0.01
