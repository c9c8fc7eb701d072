"""Fixtures shared across test folders."""

from tests.netpki import net_pki, net_registry

__all__ = ["net_pki", "net_registry"]
