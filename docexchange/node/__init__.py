"""Nodes: the national axis (hub) and agency nodes, composing store, protocol, routing and transports."""
