"""The audit runs on the node tests' loopback network."""

from tests.node.conftest import network

__all__ = ["network"]
