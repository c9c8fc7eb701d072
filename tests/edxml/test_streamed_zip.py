"""An attachment whose zip has a damaged or cut-off central directory (a real producer's file ends
one byte short) is read front to back from its one local entry, as the Java library's
ZipInputStream reads it — still bounded, CRC-checked and one entry only."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest

from docexchange.edxml.attachments import decode_wire_attachment
from docexchange.errors import ParseError, ReasonCode


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in, so it writes a data descriptor (flag bit 3) as Java does."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        return len(data)


def streamed_zip(*entries: tuple[str, bytes]) -> bytes:
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return bytes(sink.buffer)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _refusal(raw: bytes, max_bytes: int = 1 << 20) -> str:
    with pytest.raises(ParseError) as refused:
        decode_wire_attachment("tep.txt", _b64(raw), max_bytes=max_bytes)
    assert refused.value.code is ReasonCode.INVALID_ATTACHMENT
    return refused.value.message


def test_a_zip_one_byte_short_reads_from_its_local_entry() -> None:
    raw = streamed_zip(("8cdea3db.txt", b"hello"))
    assert raw[6] & 0x8  # sizes and CRC in a data descriptor, as Java writes them
    assert decode_wire_attachment("tep.txt", _b64(raw)) == b"hello"
    cut = raw[:-1]  # the end-of-central-directory record loses its last byte
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(cut))
    assert decode_wire_attachment("tep.txt", _b64(cut)) == b"hello"
    no_directory = raw[: raw.index(b"PK\x01\x02")]  # only the local entry and its descriptor
    assert decode_wire_attachment("tep.txt", _b64(no_directory)) == b"hello"


def test_read_front_to_back_it_is_still_checked() -> None:
    raw = streamed_zip(("a.txt", b"hello"))
    directory = raw.index(b"PK\x01\x02")
    bad_crc = bytearray(raw[:directory])
    bad_crc[-12] ^= 0xFF  # the descriptor's CRC (signature, CRC, sizes)
    assert (
        _refusal(bytes(bad_crc))
        == "attachment 'tep.txt': not a usable zip archive (the entry's CRC does not match)"
    )
    two = streamed_zip(("a.txt", b"hello"), ("b.txt", b"world"))
    assert _refusal(two[: two.index(b"PK\x01\x02")]) == (
        "attachment 'tep.txt': the zip holds more than one entry; exactly one is expected"
    )
    cut_data = raw[:40]
    assert _refusal(cut_data) == (
        "attachment 'tep.txt': not a usable zip archive (the compressed entry is cut off)"
    )
    bomb = streamed_zip(("a.txt", b"\0" * 5_000_000))
    assert _refusal(bomb[: bomb.index(b"PK\x01\x02")], max_bytes=1000) == (
        "attachment 'tep.txt': it unpacks to more than the limit (1000 bytes)"
    )
