"""From adoption shares to what one agency can do on one day, for one document.

The scenario gives shares per tier over time (``Adoption``). The simulation models agencies one by
one, so each share becomes a yes/no per agency with a threshold fixed once per agency and measure:
an agency has adopted when the share of its tier reaches its threshold. Adoption is therefore
monotone — an agency that joined the axis stays joined while the share does not fall.

Thresholds are stratified, not independent: the agencies that follow the same schedules (a
"cohort": one tier, or the pilot group, or one tier's level-2 units) are put in a seeded order and
the k-th of n gets a threshold drawn inside [k/n, (k+1)/n). A share s then makes between
floor(s·n) and ceil(s·n) of the n agencies adopters — the share the scenario states, to the nearest
agency — where independent draws would scatter it by ±sqrt(s(1−s)/n) (±9 pp for 22 ministries at
76 %), and a calibrated scenario would only hold for lucky seeds. Who adopts first still depends on
the seed; how many does not.

``mail_use`` is different: it is the share of officials who use mail for their work, so it is drawn
per document (and per side of the exchange), not per agency: the draw comes with the document
(:class:`~docexchange.sim.workload.DocumentPlan`), the share from the scenario.

The axis connects the agencies' document-management systems (Decision 28/2018), so an agency uses
the axis only when it is connected *and* its DMS is; a signature needs a certificate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from docexchange.registry import Agency
from docexchange.routing import Capabilities
from docexchange.sim.randomness import entity_uniform
from docexchange.sim.scenario import Adoption, AdoptionMeasure

if TYPE_CHECKING:
    from docexchange.sim.workload import DocumentPlan


@dataclass(frozen=True)
class AdoptionModel:
    """Per-agency adoption drawn from the scenario's shares.

    ``population`` is every agency taking part: thresholds are stratified within each cohort of it
    (see the module docstring). An agency outside the population gets an independent threshold.
    """

    adoption: Adoption
    seed: int
    population: Iterable[Agency] = ()
    _thresholds: dict[tuple[str, str], float] = field(init=False, repr=False, compare=False)
    # has_adopted for the day last asked about: a run and a plan go day by day, asking the same
    # agencies again for every document (kept for one day only, so memory stays flat over a year)
    _by_day: dict[date, dict[tuple[str, AdoptionMeasure], bool]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        cohorts: dict[tuple[str, ...], list[Agency]] = defaultdict(list)
        for agency in {a.id: a for a in self.population}.values():
            cohorts[self.adoption.cohort(agency)].append(agency)
        thresholds: dict[tuple[str, str], float] = {}
        for members in cohorts.values():
            for measure in AdoptionMeasure:
                if measure is AdoptionMeasure.MAIL_USE:
                    continue  # drawn per document
                order = sorted(
                    members,
                    key=lambda a: (entity_uniform(self.seed, "adoption-order", measure.value, a.id), a.id),
                )
                for rank, agency in enumerate(order):
                    inside = entity_uniform(self.seed, "adoption", measure.value, agency.id)
                    thresholds[(agency.id, measure.value)] = (rank + inside) / len(order)
        object.__setattr__(self, "_thresholds", thresholds)

    def threshold(self, agency: Agency, measure: AdoptionMeasure) -> float:
        """The share of its cohort at which ``agency`` adopts ``measure``."""
        known = self._thresholds.get((agency.id, measure.value))
        return known if known is not None else entity_uniform(self.seed, "adoption", measure.value, agency.id)

    def has_adopted(self, agency: Agency, measure: AdoptionMeasure, day: date) -> bool:
        """Whether ``agency`` has adopted ``measure`` by ``day`` (agency-level measures)."""
        today = self._by_day.get(day)
        if today is None:
            self._by_day.clear()
            today = self._by_day[day] = {}
        known = today.get((agency.id, measure))
        if known is None:
            known = today[(agency.id, measure)] = self.threshold(agency, measure) < self.adoption.share(
                agency, measure, day
            )
        return known

    def uses_mail(self, agency: Agency, day: date, draw: float) -> bool:
        """Whether the official handling a document uses mail: its own ``draw`` (uniform in [0, 1),
        drawn with the document) falls below the share of officials of ``agency`` using it."""
        return draw < self.adoption.share(agency, AdoptionMeasure.MAIL_USE, day)

    def capabilities(self, agency: Agency, day: date, mail_draw: float) -> Capabilities:
        """What ``agency`` can use on ``day`` for a document whose mail-use draw at its end is ``mail_draw``."""
        connected = self.has_adopted(agency, AdoptionMeasure.AXIS, day) and self.has_adopted(
            agency, AdoptionMeasure.DMS, day
        )
        return Capabilities(
            axis=connected,
            mail=self.uses_mail(agency, day, mail_draw),
            certificate=self.has_adopted(agency, AdoptionMeasure.CERTIFICATE, day),
        )

    def for_document(
        self, sender: Agency, recipients: Sequence[Agency], day: date, plan: DocumentPlan
    ) -> dict[str, Capabilities]:
        """What the sender and each recipient can use for ``plan``, signed on ``day``."""
        return {
            sender.id: self.capabilities(sender, day, plan.sender_mail),
            **{
                r.id: self.capabilities(r, day, draws.recipient_mail)
                for r, draws in zip(recipients, plan.deliveries, strict=True)
            },
        }
