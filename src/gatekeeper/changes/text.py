"""Bytes to text the way the file's own reader would decode them.

UTF-8 first (what nearly every file is); otherwise the encoding a PEP 263 coding line
declares (``# -*- coding: latin-1 -*-`` on the first or second line), which is how
Python itself reads a source file. A file that is neither is not text: the caller
reports it as unread, never as clean.
"""

from __future__ import annotations

import io
import tokenize

#: git's own rule, and ours: a NUL in the first 8000 bytes makes a file binary
BINARY_SNIFF_BYTES = 8000


def looks_binary(data: bytes) -> bool:
    """True when a NUL byte sits in the first :data:`BINARY_SNIFF_BYTES` bytes."""
    return b"\0" in data[:BINARY_SNIFF_BYTES]


def declared_encoding(data: bytes) -> str | None:
    """The encoding a PEP 263 coding line declares, or None (none, or one Python refuses)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError, ValueError):
        return None
    return None if encoding in ("utf-8", "utf-8-sig") else encoding


def decode_text(data: bytes) -> str | None:
    """``data`` as text: UTF-8, else by its coding line; None when neither decodes it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = declared_encoding(data)
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        # LookupError: a codec that is not a text encoding (bytes-to-bytes ones like zlib)
        return None
