"""Transports: thin adapters between bytes on a socket and the node/hub logic (no exchange rules here)."""
