"""Attachment transfer encoding: each file is zipped (one entry) then base64-encoded.

Zips are built deterministically (fixed entry time) so the same document always has the same
bytes. Decoding defends against zip bombs and mismatched names.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zipfile
import zlib
from collections.abc import Callable

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
        return decode_attachment(
            name, encoded, max_bytes=max_bytes, limit=limit, entry_name=False, streamed=True
        )
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
    streamed: bool = False,
) -> bytes:
    """The original bytes of an attachment; ParseError(invalid-attachment) on any defect.
    ``entry_name``: the zip's one entry must bear the attachment's name (the legacy framing).
    ``streamed``: an archive whose central directory cannot be read is read from its first local
    entry, as the Java library's ZipInputStream reads it (real producers' files)."""

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
    except zipfile.BadZipFile as exc:
        if streamed:
            return _first_local_entry(raw, max_bytes, limit, refuse)
        raise refuse(f"not a usable zip archive ({type(exc).__name__}: {exc})") from None
    except (zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        # NotImplementedError: unsupported compression; RuntimeError: encrypted entry
        raise refuse(f"not a usable zip archive ({type(exc).__name__}: {exc})") from None


_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # a zip local file header (APPNOTE 4.3.7)
_DESCRIPTOR = b"PK\x07\x08"


def _first_local_entry(raw: bytes, max_bytes: int, limit: str, refuse: Callable[[str], ParseError]) -> bytes:
    """The one entry of an archive read front to back (its central directory damaged or cut off):
    stored or deflated, unpacked within ``max_bytes``, its CRC checked, and nothing but a central
    directory (or the end) after it."""
    if len(raw) < _LOCAL.size:
        raise refuse("not a usable zip archive (truncated local header)")
    _, _, flags, method, _, _, crc, size, _, name_length, extra_length = _LOCAL.unpack_from(raw)
    if flags & 0x1:
        raise refuse("not a usable zip archive (encrypted entry)")
    start = _LOCAL.size + name_length + extra_length
    if method == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(raw[start:], max_bytes + 1)
        except zlib.error as exc:
            raise refuse(f"not a usable zip archive (zlib.error: {exc})") from None
        if len(data) > max_bytes:
            raise refuse(f"it unpacks to more than {limit} ({max_bytes} bytes)")
        if not inflater.eof:
            raise refuse("not a usable zip archive (the compressed entry is cut off)")
        end = len(raw) - len(inflater.unused_data)
    elif method == zipfile.ZIP_STORED and not flags & 0x8:
        end = start + size
        if end > len(raw):
            raise refuse("not a usable zip archive (the stored entry is cut off)")
        if size > max_bytes:
            raise refuse(f"it unpacks to {size} bytes, over {limit} ({max_bytes} bytes)")
        data = raw[start:end]
    else:
        raise refuse(f"not a usable zip archive (compression method {method} without a central directory)")
    if flags & 0x8:  # sizes and CRC follow the data, in a descriptor with or without its signature
        offset = end + (4 if raw[end : end + 4] == _DESCRIPTOR else 0)
        if len(raw) < offset + 12:
            raise refuse("not a usable zip archive (the data descriptor is cut off)")
        (crc,) = struct.unpack_from("<I", raw, offset)
        end = offset + 12
    if zlib.crc32(data) != crc:
        raise refuse("not a usable zip archive (the entry's CRC does not match)")
    if raw[end : end + 4] == b"PK\x03\x04":
        raise refuse("the zip holds more than one entry; exactly one is expected")
    return data
