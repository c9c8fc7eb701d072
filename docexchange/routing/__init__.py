"""Routing: which channel — axis, mail or paper — a document takes to each recipient, and why.

Pure rules of Decision 28/2018/QĐ-TTg (DOMAIN.md §2, §4); the only I/O is reading a TOML file in
:func:`load_rules` / :func:`load_capabilities`.

>>> rules = RoutingRules()
>>> traits = DocumentTraits("000.00.00.G12,2019/03/12,05/QĐ-BTC", "000.00.00.G12", "QĐ")
>>> decision = rules.decide(traits, "000.00.00.G22")
>>> decision.channel.value, decision.paper_copy, decision.reason.value
('axis', True, 'government-paper-copy')
"""

from docexchange.routing.loader import (
    RulesFileError,
    load_capabilities,
    load_rules,
    parse_capabilities,
    parse_rules,
)
from docexchange.routing.model import (
    FULL_CAPABILITIES,
    Capabilities,
    CapabilitySource,
    CapabilityTable,
    Channel,
    DocumentTraits,
    FailureAction,
    FailureKind,
    RouteReason,
    RoutingDecision,
    Secrecy,
    traits_of,
    type_abbreviation_of,
)
from docexchange.routing.rules import (
    DEFAULT_GOVERNMENT_RECIPIENTS,
    DEFAULT_PREFERENCE,
    DEFAULT_RETRY_DELAYS,
    RoutingRules,
    after_failure,
    canonical_type,
)

__all__ = [
    "DEFAULT_GOVERNMENT_RECIPIENTS",
    "DEFAULT_PREFERENCE",
    "DEFAULT_RETRY_DELAYS",
    "FULL_CAPABILITIES",
    "Capabilities",
    "CapabilitySource",
    "CapabilityTable",
    "Channel",
    "DocumentTraits",
    "FailureAction",
    "FailureKind",
    "RouteReason",
    "RoutingDecision",
    "RoutingRules",
    "RulesFileError",
    "Secrecy",
    "after_failure",
    "canonical_type",
    "load_capabilities",
    "load_rules",
    "parse_capabilities",
    "parse_rules",
    "traits_of",
    "type_abbreviation_of",
]
