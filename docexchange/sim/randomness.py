"""Randomness derived per entity from the scenario seed.

A run's report must not depend on the order in which concurrent work happens, so no component
draws from a shared stream: each entity (an agency's adoption, a document's delays, a fault) gets
its own generator, seeded from SHA-256 of the scenario seed and the entity's key. Asking for the
same entity twice gives the same sequence, whatever else was drawn in between.
"""

from __future__ import annotations

import hashlib
import random


def entity_seed(seed: int, *keys: object) -> int:
    """A 64-bit seed for one entity: SHA-256 over the scenario seed and the entity's keys."""
    material = "\x1f".join(str(part) for part in (seed, *keys)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(material).digest()[:8], "big")


def entity_rng(seed: int, *keys: object) -> random.Random:
    """A generator of its own for the entity named by ``keys`` (e.g. ``"adoption", agency_id``)."""
    return random.Random(entity_seed(seed, *keys))


def entity_uniform(seed: int, *keys: object) -> float:
    """One uniform draw in [0, 1) for an entity — enough for a yes/no decision at a given rate."""
    return entity_rng(seed, *keys).random()
