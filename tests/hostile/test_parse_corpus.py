"""Every static hostile input is refused with its exact reason, before any signature is read."""

from pathlib import Path

import pytest

from docexchange.edxml import ParseLimits, parse_message
from docexchange.errors import ParseError, ReasonCode

CORPUS = Path(__file__).parent / "corpus"

EXPECTED = {
    "external-entity.xml": ReasonCode.FORBIDDEN_DTD,
    "billion-laughs.xml": ReasonCode.FORBIDDEN_DTD,
    "internal-dtd.xml": ReasonCode.FORBIDDEN_DTD,
    "external-dtd.xml": ReasonCode.FORBIDDEN_DTD,
    "not-xml.xml": ReasonCode.MALFORMED_XML,
    "unclosed.xml": ReasonCode.MALFORMED_XML,
    "wrong-namespace.xml": ReasonCode.WRONG_NAMESPACE,
    "wrong-root.xml": ReasonCode.WRONG_NAMESPACE,
    "schema-invalid.xml": ReasonCode.SCHEMA_INVALID,
    "schema-invalid-legacy.xml": ReasonCode.SCHEMA_INVALID,  # the framing earlier versions wrote
}

MESSAGES = {  # the sentence names what was found
    "wrong-namespace.xml": "the root element is edXML in namespace http://example.invalid/not-edxml; "
    "expected edXML in namespace http://www.mic.gov.vn/TBT/QCVN_102_2016",
    "wrong-root.xml": "the root element is EdXMLEnvelope in namespace http://www.go.vn/eDoc; "
    "expected edXML in namespace http://www.mic.gov.vn/TBT/QCVN_102_2016",
}
NAMED = {  # the schema refusal names the offending element
    "schema-invalid.xml": "Script': This element is not expected",
    "schema-invalid-legacy.xml": "edXMLBody': Missing child element(s)",
}


def test_every_corpus_file_has_an_expected_reason() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_is_refused_with_its_reason(name: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_message((CORPUS / name).read_bytes())
    assert refused.value.code is EXPECTED[name]
    assert refused.value.message  # a sentence, not just a code
    if name in MESSAGES:
        assert refused.value.message == MESSAGES[name]
    if name in NAMED:
        assert NAMED[name] in refused.value.message


def test_dtd_hidden_behind_utf16_encoding_is_still_refused() -> None:
    data = (
        (CORPUS / "internal-dtd.xml").read_text().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    )
    with pytest.raises(ParseError) as refused:
        parse_message(data.encode("utf-16"))
    assert refused.value.code is ReasonCode.FORBIDDEN_DTD


def test_oversized_message_is_refused_before_parsing() -> None:
    data = b"<x>" + b"a" * 2048 + b"</x>"
    with pytest.raises(ParseError) as refused:
        parse_message(data, ParseLimits(max_bytes=1024))
    assert refused.value.code is ReasonCode.TOO_LARGE
    assert "1024" in refused.value.message


def test_too_deep_nesting_within_parser_limits_is_refused() -> None:
    ns = 'xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"'
    data = f"<edXML {ns}>" + "<a>" * 100 + "</a>" * 100 + "</edXML>"
    with pytest.raises(ParseError) as refused:
        parse_message(data.encode())
    assert refused.value.code is ReasonCode.TOO_DEEP


def test_nesting_beyond_libxml2_limit_is_refused_as_too_deep() -> None:
    data = "<a>" * 20000 + "</a>" * 20000
    with pytest.raises(ParseError) as refused:
        parse_message(data.encode())
    assert refused.value.code is ReasonCode.TOO_DEEP


def test_no_network_access_is_attempted_for_external_dtd(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(ParseError):
        parse_message((CORPUS / "external-dtd.xml").read_bytes())


def test_dtd_hidden_after_a_long_comment_is_still_forbidden_dtd() -> None:
    laughs = (CORPUS / "billion-laughs.xml").read_text()
    declaration, rest = laughs.split("\n", 1)
    data = f"{declaration}\n<!--{'x' * 70000}-->\n{rest}"
    with pytest.raises(ParseError) as refused:
        parse_message(data.encode())
    assert refused.value.code is ReasonCode.FORBIDDEN_DTD
