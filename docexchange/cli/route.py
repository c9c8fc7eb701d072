"""``docexchange route``: which channel a document takes to each of its recipients, and why.

Reads an edXML document (signed or not; nothing is verified), the routing rules, and optionally
the agencies' capabilities, and prints one decision per recipient. Exit 0 on success, 2 when a
file or an argument is wrong (raised as DocexchangeError; ``main`` prints it on one line).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from docexchange.edxml import DocumentMessage, parse_message, read_document
from docexchange.edxml.schema import MessageKind
from docexchange.errors import DocexchangeError, ParseError, ReasonCode
from docexchange.registry import Registry, load_registry
from docexchange.routing import (
    CapabilityTable,
    Channel,
    RoutingDecision,
    Secrecy,
    load_capabilities,
    load_rules,
    traits_of,
)

_SECRECY_CHOICES = [s.value for s in Secrecy]


def register(sub: Any) -> None:
    route = sub.add_parser(
        "route", help="explain the channel (axis, mail, paper) of a document to each recipient, and why"
    )
    route.add_argument("file", metavar="FILE", help="edXML document, signed or not (nothing is verified)")
    route.add_argument("--rules", required=True, metavar="FILE", help="routing rules (simulations/rules/)")
    route.add_argument(
        "--registry", metavar="FILE", help="registry data file (default: agencies/government-2008.toml)"
    )
    route.add_argument(
        "--secrecy",
        default=Secrecy.NONE.value,
        choices=_SECRECY_CHOICES,
        help="độ mật: Mật, Tối mật, Tuyệt mật go on paper (edXML carries no secrecy)",
    )
    route.add_argument(
        "--capabilities",
        metavar="FILE",
        help="agency capabilities (axis, mail, certificate); default: every agency has all",
    )
    route.add_argument("--json", action="store_true", help="print the decisions as JSON")
    route.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules)
    capabilities = load_capabilities(args.capabilities) if args.capabilities else CapabilityTable()
    registry = load_registry(args.registry)
    message = _read_message(args.file)
    _check_known(registry, message, capabilities)

    traits = traits_of(message, Secrecy(args.secrecy))
    sender_caps = capabilities.of(traits.sender)
    decisions = [
        rules.decide(traits, recipient, sender_caps, capabilities.of(recipient))
        for recipient in message.recipient_ids
    ]
    if args.json:
        print(
            json.dumps(_as_json(message, traits.secrecy, decisions, registry), ensure_ascii=False, indent=2)
        )
    else:
        print(_as_text(message, traits.secrecy, decisions, registry), end="")
    return 0


def _read_message(file: str) -> DocumentMessage:
    data = Path(file).read_bytes()
    try:
        root, kind = parse_message(data)
        message = read_document(root) if kind is MessageKind.DOCUMENT else None
    except ParseError as exc:
        raise ParseError(exc.code, f"{file}: {exc.message}") from None
    if message is None:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"{file}: is a status message; only documents are routed"
        )
    return message


def _check_known(registry: Registry, message: DocumentMessage, capabilities: CapabilityTable) -> None:
    """Refuse agencies the registry does not know: a typo must not route silently."""
    source = registry.source or "the registry"
    for agency_id in (message.from_.organ_id, *message.recipient_ids):
        if agency_id not in registry:
            raise DocexchangeError(
                ReasonCode.UNKNOWN_AGENCY, f"{agency_id} (in the document) is not in {source}; see --registry"
            )
    for agency_id in capabilities.entries:
        if agency_id not in registry:
            raise DocexchangeError(
                ReasonCode.UNKNOWN_AGENCY,
                f"{agency_id} (in the capabilities file) is not in {source}; see --registry",
            )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _as_text(
    message: DocumentMessage, secrecy: Secrecy, decisions: list[RoutingDecision], registry: Registry
) -> str:
    priority = message.other_info.priority
    lines = [
        f"Văn bản     {message.code.text} ({message.document_type.type_name})",
        f"DocumentId  {message.document_id}",
        f"Nơi gửi     {registry.get(message.from_.organ_id).name} [{message.from_.organ_id}]",
        f"Độ khẩn     {priority.label}    Độ mật  {secrecy.label}",
    ]
    for d in decisions:
        agency = registry.get(d.recipient)
        channel = d.channel.value + (f" ({agency.mailbox})" if d.channel is Channel.MAIL else "")
        lines += [
            "",
            f"→ {agency.name} [{d.recipient}]",
            f"   channel      {channel}",
            f"   paper copy   {_yes(d.paper_copy)}",
            f"   legal value  {_yes(d.legal_value)}",
            f"   priority     {d.queue_priority}" + (", send immediately" if d.send_immediately else ""),
            f"   reason       {d.reason}"
            + (f" (also {', '.join(d.other_reasons)})" if d.other_reasons else ""),
            f"   fallbacks    {', '.join(d.fallbacks) or '-'}",
            f"   why          {d.explanation}",
        ]
    return "\n".join(lines) + "\n"


def _as_json(
    message: DocumentMessage, secrecy: Secrecy, decisions: list[RoutingDecision], registry: Registry
) -> dict[str, Any]:
    return {
        "document_id": message.document_id,
        "code": message.code.text,
        "from": message.from_.organ_id,
        "priority": int(message.other_info.priority),
        "secrecy": secrecy.value,
        "decisions": [
            {
                "recipient": d.recipient,
                "name": registry.get(d.recipient).name,
                "channel": d.channel.value,
                "paper_copy": d.paper_copy,
                "legal_value": d.legal_value,
                "queue_priority": d.queue_priority,
                "send_immediately": d.send_immediately,
                "reason": d.reason.value,
                "other_reasons": [r.value for r in d.other_reasons],
                "explanation": d.explanation,
                "fallbacks": [c.value for c in d.fallbacks],
            }
            for d in decisions
        ],
    }
