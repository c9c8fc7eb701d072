"""The axis HTTPS front on real loopback sockets: mutual TLS, reason codes, keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography import x509

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.pki import AXIS_HOST, Credential, PathValidator, PkiStore, StoreRevocationSource
from docexchange.transport.axis_http import AxisClient
from docexchange.transport.axis_server import AxisHttpServer
from docexchange.transport.errors import TransportError
from docexchange.transport.tls import authenticated_agency, client_context, server_context
from tests.netpki import LAO_CAI_ID, VPCP_ID

NOW = datetime(2019, 3, 12, 9, 0, tzinfo=VIETNAM_TZ)


class FakeAxis:
    """Just enough of a hub to exercise the HTTP front; authentication is the real one."""

    max_bytes = 64 * 1024

    def __init__(self, pki: PkiStore) -> None:
        self.pki = pki
        self.validator = PathValidator(pki.root, StoreRevocationSource(pki, FixedClock(NOW)))
        self.uploads: list[tuple[str, bytes]] = []

    def authenticate(self, cert: x509.Certificate | None) -> str:
        return authenticated_agency(cert, self.validator, [self.pki.intermediate], NOW)

    def upload(
        self, agency_id: str, data: bytes, recipients: list[str] | None = None
    ) -> tuple[list[dict[str, Any]], bool]:
        if data == b"crash":
            raise RuntimeError("a bug in the hub")
        if not data.startswith(b"<"):
            raise DocexchangeError(ReasonCode.MALFORMED_XML, "not XML")
        self.uploads.append((agency_id, data))
        return [{"package_id": f"p{len(self.uploads)}", "recipient": LAO_CAI_ID, "duplicate": False}], True

    def inbox(self, agency_id: str) -> list[dict[str, Any]]:
        return [{"package_id": "p1", "sender": VPCP_ID}] if agency_id == LAO_CAI_ID else []

    def download(self, agency_id: str, package_id: str) -> tuple[bytes, list[dict[str, Any]]]:
        if package_id != "p1":
            raise DocexchangeError(ReasonCode.UNKNOWN_PACKAGE, f"no package {package_id} for {agency_id}")
        return b"<edXML/>", [{"organ_id": AXIS_HOST, "timestamp": NOW.isoformat()}]

    def acknowledge(self, agency_id: str, package_id: str, state: str, reason: str) -> None:
        pass

    def directory(self) -> list[dict[str, Any]]:
        return [{"id": VPCP_ID}]


@pytest.fixture
async def axis(net_pki: PkiStore) -> AsyncIterator[tuple[AxisHttpServer, FakeAxis]]:
    service = FakeAxis(net_pki)
    server = AxisHttpServer(service, server_context(net_pki.service(), net_pki.root))
    await server.start()
    yield server, service
    await server.stop()


def client(server: AxisHttpServer, pki: PkiStore, credential: Credential | None) -> AxisClient:
    return AxisClient(
        server.port, client_context(pki.root, credential), server_hostname=AXIS_HOST, timeout=10
    )


async def test_upload_is_attributed_to_the_agency_of_the_client_certificate(
    axis: tuple[AxisHttpServer, FakeAxis], net_pki: PkiStore
) -> None:
    server, service = axis
    lao_cai = client(server, net_pki, net_pki.organisation(LAO_CAI_ID))
    receipts = await lao_cai.upload(b"<edXML/>")
    await lao_cai.close()
    assert [r.package_id for r in receipts] == ["p1"]
    assert service.uploads == [(LAO_CAI_ID, b"<edXML/>")]


async def test_inbox_download_and_hops(axis: tuple[AxisHttpServer, FakeAxis], net_pki: PkiStore) -> None:
    server, _ = axis
    lao_cai = client(server, net_pki, net_pki.organisation(LAO_CAI_ID))
    assert [p["package_id"] for p in await lao_cai.inbox()] == ["p1"]
    data, hops = await lao_cai.download("p1")
    assert data == b"<edXML/>" and hops[0]["organ_id"] == AXIS_HOST
    with pytest.raises(TransportError) as missing:
        await lao_cai.download("p9")
    await lao_cai.close()
    assert (missing.value.status, missing.value.reason) == (404, "unknown-package")


async def test_a_client_without_certificate_gets_401(
    axis: tuple[AxisHttpServer, FakeAxis], net_pki: PkiStore
) -> None:
    server, service = axis
    anonymous = client(server, net_pki, None)
    with pytest.raises(TransportError) as refused:
        await anonymous.upload(b"<edXML/>")
    await anonymous.close()
    assert (refused.value.status, refused.value.reason) == (401, "unauthenticated")
    assert not refused.value.retryable and service.uploads == []


async def test_a_personal_certificate_cannot_authenticate_to_the_axis(
    axis: tuple[AxisHttpServer, FakeAxis], net_pki: PkiStore
) -> None:
    """A personal certificate has no clientAuth usage: the TLS handshake itself refuses it."""
    server, service = axis
    person = client(server, net_pki, net_pki.person(LAO_CAI_ID))
    with pytest.raises(TransportError) as refused:
        await person.upload(b"<edXML/>")
    await person.close()
    assert refused.value.reason == "axis-unreachable" and service.uploads == []


def test_authentication_refuses_a_personal_certificate_with_its_reason(net_pki: PkiStore) -> None:
    with pytest.raises(DocexchangeError) as refused:
        FakeAxis(net_pki).authenticate(net_pki.person(LAO_CAI_ID).cert)
    assert refused.value.code is ReasonCode.CERT_WRONG_PURPOSE


async def test_a_revoked_organisation_certificate_is_refused(tmp_path: Any, net_registry: Any) -> None:
    pki = PkiStore.init(
        tmp_path / "certs",
        net_registry,
        algorithm="ecdsa-p256",
        not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
    )
    pki.revoke(LAO_CAI_ID, at=NOW - timedelta(days=1))
    service = FakeAxis(pki)
    server = AxisHttpServer(service, server_context(pki.service(), pki.root))
    await server.start()
    lao_cai = client(server, pki, pki.organisation(LAO_CAI_ID))
    with pytest.raises(TransportError) as refused:
        await lao_cai.upload(b"<edXML/>")
    await lao_cai.close()
    await server.stop()
    assert (refused.value.status, refused.value.reason) == (403, "cert-revoked")


async def test_a_client_certificate_from_another_ca_fails_the_handshake(
    axis: tuple[AxisHttpServer, FakeAxis], net_pki: PkiStore, tmp_path: Any, net_registry: Any
) -> None:
    server, service = axis
    other = PkiStore.init(
        tmp_path / "other",
        net_registry,
        algorithm="ecdsa-p256",
        not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
    )
    intruder = AxisClient(
        server.port,
        client_context(net_pki.root, other.organisation(LAO_CAI_ID)),
        server_hostname=AXIS_HOST,
        timeout=10,
    )
    with pytest.raises(TransportError) as refused:
        await intruder.upload(b"<edXML/>")
    await intruder.close()
    assert refused.value.reason == "axis-unreachable" and service.uploads == []


async def test_a_client_that_trusts_another_root_does_not_talk_to_the_axis(
    axis: tuple[AxisHttpServer, FakeAxis], net_pki: PkiStore, tmp_path: Any, net_registry: Any
) -> None:
    server, _ = axis
    other = PkiStore.init(
        tmp_path / "other",
        net_registry,
        algorithm="ecdsa-p256",
        not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
    )
    misled = AxisClient(
        server.port,
        client_context(other.root, other.organisation(LAO_CAI_ID)),
        server_hostname=AXIS_HOST,
        timeout=10,
    )
    with pytest.raises(TransportError) as failed:
        await misled.inbox()
    await misled.close()
    assert "CERTIFICATE_VERIFY_FAILED" in failed.value.message


async def test_bad_requests_get_4xx_with_a_reason_and_the_server_keeps_serving(
    axis: tuple[AxisHttpServer, FakeAxis], net_pki: PkiStore
) -> None:
    server, service = axis
    vpcp = client(server, net_pki, net_pki.organisation(VPCP_ID))
    outcomes = []
    for body in (b"garbage", b"<" + b"x" * (70 * 1024), b"crash"):
        with pytest.raises(TransportError) as refused:
            await vpcp.upload(body)
        outcomes.append((refused.value.status, refused.value.reason))
    receipts = await vpcp.upload(b"<edXML/>")
    await vpcp.close()
    assert outcomes == [(400, "malformed-xml"), (413, "too-large"), (500, "internal-error")]
    assert receipts[0].package_id == "p1" and len(service.uploads) == 1
