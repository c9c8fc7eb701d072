"""Where agencies are reached on the simulated network: the registry plays the role of DNS.

Mail domains map to a host and port (filled in as nodes start their mail servers on ports the OS
gives them); the axis has one address. Only loopback or addresses of the project's own test hosts
are ever entered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Directory:
    mail: dict[str, tuple[str, int]] = field(default_factory=dict)
    axis: tuple[str, int] | None = None

    def resolve_mail(self, domain: str) -> tuple[str, int]:
        """(host, port) of the records-office mail server for ``domain``; KeyError when unknown."""
        return self.mail[domain.lower()]

    def publish_mail(self, domain: str, host: str, port: int) -> None:
        self.mail[domain.lower()] = (host, port)
