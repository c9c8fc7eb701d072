"""Attachment transfer encoding: each file is zipped (one entry) then base64-encoded.

Zips are built deterministically (fixed entry time) so the same document always has the same
bytes. Decoding defends against zip bombs and mismatched names.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
import zlib

from docexchange.errors import ParseError, ReasonCode

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


def encode_attachment(name: str, data: bytes) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, data)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_wire_attachment(
    name: str, encoded: str, *, max_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES, limit: str = "the limit"
) -> bytes:
    """An attachment as the real files carry it: base64 of a one-entry zip (VNPT's library, entry
    named as it likes) or of the file itself (a received PDF) — told apart by the zip signature,
    not by the ContentType, which producers label either way."""
    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ParseError(ReasonCode.INVALID_ATTACHMENT, f"attachment {name!r}: not valid base64") from None
    if raw.startswith(b"PK\x03\x04"):
        return decode_attachment(name, encoded, max_bytes=max_bytes, limit=limit, entry_name=False)
    if len(raw) > max_bytes:
        raise ParseError(
            ReasonCode.INVALID_ATTACHMENT,
            f"attachment {name!r}: {len(raw)} bytes, over {limit} ({max_bytes} bytes)",
        )
    return raw


def decode_attachment(
    name: str,
    encoded: str,
    *,
    max_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    limit: str = "the limit",
    entry_name: bool = True,
) -> bytes:
    """The original bytes of an attachment; ParseError(invalid-attachment) on any defect.
    ``entry_name``: the zip's one entry must bear the attachment's name (the legacy framing)."""

    def refuse(why: str) -> ParseError:
        return ParseError(ReasonCode.INVALID_ATTACHMENT, f"attachment {name!r}: {why}")

    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise refuse("not valid base64") from None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
            if len(entries) != 1:
                raise refuse(f"the zip holds {len(entries)} entries; exactly one is expected")
            entry = entries[0]
            if entry_name and entry.filename != name:
                raise refuse(f"the zip entry is named {entry.filename!r}, not the attachment name")
            if entry.file_size > max_bytes:
                raise refuse(f"it unpacks to {entry.file_size} bytes, over {limit} ({max_bytes} bytes)")
            with archive.open(entry) as stream:
                data = stream.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise refuse(f"it unpacks to more than {limit} ({max_bytes} bytes)")
            return data
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        # NotImplementedError: unsupported compression; RuntimeError: encrypted entry
        raise refuse(f"not a usable zip archive ({type(exc).__name__}: {exc})") from None
