"""From adoption shares to what one agency can do on one day, for one document.

The scenario gives shares per tier over time (``Adoption``). The simulation models agencies one by
one, so each share becomes a yes/no per agency with a threshold drawn once per agency and measure:
an agency has adopted when the share of its tier reaches its threshold. Adoption is therefore
monotone — an agency that joined the axis stays joined while the share does not fall — and the
expected proportion of adopters in a tier equals the share.

``mail_use`` is different: it is the share of officials who use mail for their work, so it is drawn
per document (and per side of the exchange), not per agency.

The axis connects the agencies' document-management systems (Decision 28/2018), so an agency uses
the axis only when it is connected *and* its DMS is; a signature needs a certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from docexchange.registry import Agency
from docexchange.routing import Capabilities
from docexchange.sim.randomness import entity_uniform
from docexchange.sim.scenario import Adoption, AdoptionMeasure


@dataclass(frozen=True)
class AdoptionModel:
    adoption: Adoption
    seed: int

    def has_adopted(self, agency: Agency, measure: AdoptionMeasure, day: date) -> bool:
        """Whether ``agency`` has adopted ``measure`` by ``day`` (agency-level measures)."""
        threshold = entity_uniform(self.seed, "adoption", measure.value, agency.id)
        return threshold < self.adoption.share(agency, measure, day)

    def uses_mail(self, agency: Agency, day: date, document_key: str, side: str) -> bool:
        """Whether the official handling this document on ``side`` ("send"/"receive") uses mail."""
        draw = entity_uniform(self.seed, "mail-use", document_key, side, agency.id)
        return draw < self.adoption.share(agency, AdoptionMeasure.MAIL_USE, day)

    def capabilities(self, agency: Agency, day: date, document_key: str, side: str) -> Capabilities:
        """What ``agency`` can use for this document on ``day``."""
        connected = self.has_adopted(agency, AdoptionMeasure.AXIS, day) and self.has_adopted(
            agency, AdoptionMeasure.DMS, day
        )
        return Capabilities(
            axis=connected,
            mail=self.uses_mail(agency, day, document_key, side),
            certificate=self.has_adopted(agency, AdoptionMeasure.CERTIFICATE, day),
        )
