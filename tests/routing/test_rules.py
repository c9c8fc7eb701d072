"""Decision 28/2018 routing rules, one test per rule, each checking the exact reason code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from docexchange.edxml import Priority
from docexchange.routing import (
    Capabilities,
    Channel,
    DocumentTraits,
    RouteReason,
    RoutingDecision,
    RoutingRules,
    Secrecy,
)

BTC, VPCP, LAO_CAI = "000.00.00.G12", "000.00.00.G22", "000.00.00.H38"
ALL = Capabilities()
NO_AXIS = Capabilities(axis=False)
NO_MAIL = Capabilities(mail=False)
NOTHING = Capabilities(axis=False, mail=False, certificate=False)
NO_CERT = Capabilities(certificate=False)


def traits(
    type_abbreviation: str = "CV",
    *,
    sender: str = BTC,
    priority: Priority = Priority.NORMAL,
    secrecy: Secrecy = Secrecy.NONE,
) -> DocumentTraits:
    return DocumentTraits(f"{sender},2019/03/12,05/BTC-VP", sender, type_abbreviation, priority, secrecy)


def decide(
    rules: RoutingRules | None = None,
    *,
    doc: DocumentTraits | None = None,
    to: str = LAO_CAI,
    sender: Capabilities = ALL,
    recipient: Capabilities = ALL,
) -> RoutingDecision:
    return (rules or RoutingRules()).decide(doc or traits(), to, sender, recipient)


def test_everything_available_goes_by_axis_signed_because_it_is_preferred() -> None:
    d = decide()
    assert (d.channel, d.reason, d.other_reasons) == (Channel.AXIS, RouteReason.PREFERRED_AXIS, ())
    assert (d.paper_copy, d.legal_value) == (False, True)
    assert d.fallbacks == (Channel.MAIL, Channel.PAPER)
    assert d.document_id == "000.00.00.G12,2019/03/12,05/BTC-VP"
    assert d.recipient == LAO_CAI


@pytest.mark.parametrize("secrecy", [Secrecy.MAT, Secrecy.TOI_MAT, Secrecy.TUYET_MAT])
def test_a_state_secret_goes_on_paper_never_electronically(secrecy: Secrecy) -> None:
    d = decide(doc=traits(secrecy=secrecy))
    assert (d.channel, d.reason) == (Channel.PAPER, RouteReason.SECRET)
    assert d.fallbacks == ()
    assert not d.paper_copy  # the paper document is the original, not a copy
    assert d.legal_value
    assert secrecy.label in d.explanation


def test_a_secret_to_the_government_still_goes_on_paper_only() -> None:
    d = decide(doc=traits("QĐ", secrecy=Secrecy.TUYET_MAT), to=VPCP)
    assert (d.channel, d.reason, d.other_reasons) == (Channel.PAPER, RouteReason.SECRET, ())


@pytest.mark.parametrize(("sender", "recipient", "who"), [(NO_AXIS, ALL, BTC), (ALL, NO_AXIS, LAO_CAI)])
def test_without_an_axis_connection_on_either_side_it_goes_by_mail(
    sender: Capabilities, recipient: Capabilities, who: str
) -> None:
    d = decide(sender=sender, recipient=recipient)
    assert (d.channel, d.reason) == (Channel.MAIL, RouteReason.NO_AXIS_CONNECTION)
    assert (d.paper_copy, d.legal_value) == (False, True)
    assert d.fallbacks == (Channel.PAPER,)
    assert f"{who} lacks a connection to the axis" in d.explanation


def test_without_a_mailbox_it_still_goes_by_axis_but_cannot_fall_back_to_mail() -> None:
    d = decide(recipient=NO_MAIL)
    assert (d.channel, d.reason) == (Channel.AXIS, RouteReason.PREFERRED_AXIS)
    assert d.fallbacks == (Channel.PAPER,)


def test_without_axis_and_mailbox_it_goes_on_paper_because_of_the_mailbox() -> None:
    d = decide(sender=NO_AXIS, recipient=NO_MAIL)
    assert (d.channel, d.reason) == (Channel.PAPER, RouteReason.NO_MAILBOX)
    assert d.other_reasons == (RouteReason.NO_AXIS_CONNECTION,)
    assert (d.paper_copy, d.legal_value, d.fallbacks) == (False, True, ())
    assert f"the sender {BTC} lacks a connection to the axis" in d.explanation
    assert f"the recipient {LAO_CAI} lacks a mailbox in use" in d.explanation


def test_an_agency_with_nothing_gets_paper() -> None:
    d = decide(recipient=NOTHING)
    assert (d.channel, d.reason) == (Channel.PAPER, RouteReason.NO_MAILBOX)
    assert RouteReason.NO_AXIS_CONNECTION in d.other_reasons


BOTH_CERTIFIED = RoutingRules(recipient_certificate=True)  # an era before Decision 28 (plan-2008 rules)


@pytest.mark.parametrize(
    ("rules", "sender", "recipient"),
    [
        (RoutingRules(), NO_CERT, ALL),
        (RoutingRules(), NO_CERT, NO_CERT),
        (BOTH_CERTIFIED, NO_CERT, ALL),
        (BOTH_CERTIFIED, ALL, NO_CERT),
        (BOTH_CERTIFIED, NO_CERT, NO_CERT),
    ],
)
def test_without_a_certificate_it_goes_by_mail_for_information_and_on_paper(
    rules: RoutingRules, sender: Capabilities, recipient: Capabilities
) -> None:
    d = decide(rules, sender=sender, recipient=recipient)
    assert (d.channel, d.reason) == (Channel.MAIL, RouteReason.NO_CERTIFICATE)
    assert d.legal_value is False
    assert d.paper_copy is True
    assert d.fallbacks == (Channel.PAPER,)
    assert "for information only" in d.explanation


def test_decision_28_asks_no_certificate_of_the_recipient() -> None:
    """The sender signs; the recipient's document-management system verifies (DOMAIN.md §1)."""
    d = decide(recipient=NO_CERT)
    assert (d.channel, d.legal_value, d.paper_copy) == (Channel.AXIS, True, False)
    assert RouteReason.NO_CERTIFICATE not in (d.reason, *d.other_reasons)


def test_without_certificate_nor_mailbox_it_goes_on_paper() -> None:
    d = decide(BOTH_CERTIFIED, recipient=Capabilities(mail=False, certificate=False))
    assert (d.channel, d.reason) == (Channel.PAPER, RouteReason.NO_MAILBOX)
    assert d.other_reasons == (RouteReason.NO_CERTIFICATE,)
    assert d.legal_value


def test_without_axis_and_certificate_the_missing_certificate_decides() -> None:
    d = decide(sender=Capabilities(axis=False, certificate=False))
    assert (d.channel, d.reason) == (Channel.MAIL, RouteReason.NO_CERTIFICATE)
    assert d.other_reasons == (RouteReason.NO_AXIS_CONNECTION,)
    assert (d.paper_copy, d.legal_value) == (True, False)


def test_to_the_government_it_goes_electronically_and_on_paper() -> None:
    d = decide(to=VPCP)
    assert (d.channel, d.reason) == (Channel.AXIS, RouteReason.GOVERNMENT_PAPER_COPY)
    assert (d.paper_copy, d.legal_value) == (True, True)
    assert "Government / Prime Minister" in d.explanation


def test_to_the_government_by_mail_keeps_both_reasons() -> None:
    d = decide(to=VPCP, recipient=NO_AXIS)
    assert (d.channel, d.reason, d.paper_copy) == (Channel.MAIL, RouteReason.NO_AXIS_CONNECTION, True)
    assert d.other_reasons == (RouteReason.GOVERNMENT_PAPER_COPY,)


def test_the_government_recipients_are_configurable() -> None:
    rules = RoutingRules(government_recipients=(LAO_CAI,))
    assert decide(rules, to=VPCP).reason is RouteReason.PREFERRED_AXIS
    assert decide(rules, to=LAO_CAI).reason is RouteReason.GOVERNMENT_PAPER_COPY


def test_a_sender_may_list_types_that_also_go_on_paper() -> None:
    rules = RoutingRules(paper_types={BTC: frozenset({"QD", "Nghị quyết"})})
    assert rules.paper_types[BTC] == frozenset({"QĐ", "NQ"})
    for listed in ("QĐ", "NQ", "qđ"):
        d = decide(rules, doc=traits(listed))
        assert (d.channel, d.reason, d.paper_copy) == (Channel.AXIS, RouteReason.PAPER_TYPE, True)
        assert d.legal_value
    assert decide(rules, doc=traits("TB")).reason is RouteReason.PREFERRED_AXIS
    # the list is the sender's own: another agency's decisions need no paper
    other = decide(rules, doc=traits("QĐ", sender="000.00.00.G03"))
    assert (other.reason, other.paper_copy) == (RouteReason.PREFERRED_AXIS, False)


def test_government_and_paper_type_together() -> None:
    rules = RoutingRules(paper_types={BTC: frozenset({"QĐ"})})
    d = decide(rules, doc=traits("QĐ"), to=VPCP)
    assert d.reasons == (RouteReason.GOVERNMENT_PAPER_COPY, RouteReason.PAPER_TYPE)


def test_urgent_documents_jump_the_queue_and_go_immediately() -> None:
    decisions = {p: decide(doc=traits(priority=p)) for p in Priority}
    assert not decisions[Priority.NORMAL].send_immediately
    assert all(decisions[p].send_immediately for p in Priority if p is not Priority.NORMAL)
    ordered = sorted(Priority, key=lambda p: decisions[p].queue_priority)
    assert ordered == [
        Priority.NORMAL,
        Priority.KHAN,
        Priority.THUONG_KHAN,
        Priority.HOA_TOC,
        Priority.HOA_TOC_HEN_GIO,
    ]
    assert len({d.queue_priority for d in decisions.values()}) == 5
    assert "Hỏa tốc: sent immediately" in decisions[Priority.HOA_TOC].explanation
    # urgency changes the queue, not the channel or the reason
    assert {(d.channel, d.reason) for d in decisions.values()} == {(Channel.AXIS, RouteReason.PREFERRED_AXIS)}


def test_an_urgent_secret_is_still_paper_but_first_in_line() -> None:
    d = decide(doc=traits(priority=Priority.HOA_TOC, secrecy=Secrecy.MAT))
    assert (d.channel, d.reason, d.send_immediately, d.queue_priority) == (
        Channel.PAPER,
        RouteReason.SECRET,
        True,
        3,
    )


def test_mail_first_preference() -> None:
    rules = RoutingRules(preference=(Channel.MAIL, Channel.AXIS))
    d = decide(rules)
    assert (d.channel, d.reason, d.fallbacks) == (
        Channel.MAIL,
        RouteReason.PREFERRED_MAIL,
        (Channel.AXIS, Channel.PAPER),
    )
    without_mail = decide(rules, recipient=NO_MAIL)
    assert (without_mail.channel, without_mail.reason) == (Channel.AXIS, RouteReason.NO_MAILBOX)


def test_mail_only_preference_never_uses_the_axis() -> None:
    rules = RoutingRules(preference=(Channel.MAIL,))
    assert decide(rules).channel is Channel.MAIL
    d = decide(rules, recipient=NO_MAIL)
    assert (d.channel, d.reason) == (Channel.PAPER, RouteReason.NO_MAILBOX)


def test_axis_only_preference_sends_unsigned_documents_on_paper() -> None:
    d = decide(RoutingRules(preference=(Channel.AXIS,)), sender=NO_CERT)
    assert (d.channel, d.reason, d.legal_value) == (Channel.PAPER, RouteReason.NO_CERTIFICATE, True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preference": ()}, "lists no channel"),
        ({"preference": (Channel.AXIS, Channel.PAPER)}, "must not list paper"),
        ({"preference": (Channel.MAIL, Channel.MAIL)}, "twice"),
        ({"paper_types": {BTC: ["XYZ"]}}, "unknown document type"),
        ({"retry_delays": (timedelta(seconds=30), timedelta(0))}, "must be positive"),
    ],
)
def test_rules_built_in_code_are_checked(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RoutingRules(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mat", Secrecy.MAT),
        ("Mật", Secrecy.MAT),
        ("toi-mat", Secrecy.TOI_MAT),
        ("Tối mật", Secrecy.TOI_MAT),
        ("TUYET_MAT", Secrecy.TUYET_MAT),
        ("Tuyệt mật", Secrecy.TUYET_MAT),
        ("none", Secrecy.NONE),
        ("Thường", Secrecy.NONE),
    ],
)
def test_secrecy_parses_codes_and_vietnamese_names(text: str, expected: Secrecy) -> None:
    assert Secrecy.parse(text) is expected


def test_secrecy_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown secrecy 'secret'"):
        Secrecy.parse("secret")


def test_the_package_docstring_example_holds() -> None:
    import doctest

    import docexchange.routing

    assert doctest.testmod(docexchange.routing).failed == 0


def test_traits_of_an_edxml_document() -> None:
    from docexchange.edxml import OtherInfo
    from docexchange.edxml.numbering import document_kind, document_type
    from docexchange.routing import traits_of
    from tests.edxml.factories import document

    cong_van = traits_of(document())
    assert (cong_van.sender, cong_van.type_abbreviation, cong_van.secrecy) == (VPCP, "CV", Secrecy.NONE)
    assert cong_van.document_id == "000.00.00.G22,2018/09/20,7816/VPCP-TTĐT"
    decision = document(document_type=document_type(document_kind("QĐ")), other_info=OtherInfo(Priority.KHAN))
    assert traits_of(decision, Secrecy.MAT) == DocumentTraits(
        decision.document_id, VPCP, "QĐ", Priority.KHAN, Secrecy.MAT
    )
