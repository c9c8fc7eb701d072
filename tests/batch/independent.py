"""Statistics written out here, to check the batch's own (numpy) against."""

from __future__ import annotations

import math


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between order statistics (Hyndman–Fan type 7), written out."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)
