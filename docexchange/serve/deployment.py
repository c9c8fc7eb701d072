"""Where each part of a served network listens: the deployment file.

``docexchange serve`` writes ``deployment.json`` into its state folder once every process listens:
the axis's address and each agency's records-office mail server. Processes learn the others'
addresses from it (sent to them by the supervisor), so the same processes could run on several
hosts: only the addresses change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docexchange.node.directory import Directory

DEPLOYMENT_FILE = "deployment.json"
FORMAT = "docexchange-deployment/1"


@dataclass
class Deployment:
    axis: tuple[str, int]
    mail: dict[str, tuple[str, int]] = field(default_factory=dict)  # mail domain → address
    processes: dict[str, list[str]] = field(default_factory=dict)  # process name → agencies
    pids: dict[str, int] = field(default_factory=dict)

    def directory(self) -> Directory:
        return Directory(mail=dict(self.mail), axis=self.axis)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "axis": {"host": self.axis[0], "port": self.axis[1]},
            "mail": {domain: {"host": h, "port": p} for domain, (h, p) in sorted(self.mail.items())},
            "processes": {
                name: {"pid": self.pids.get(name), "agencies": agencies}
                for name, agencies in sorted(self.processes.items())
            },
        }

    def write(self, folder: Path) -> Path:
        path = folder / DEPLOYMENT_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)  # readers never see half a file
        return path


def read_deployment(path: Path) -> Deployment:
    """Read a deployment file; ValueError naming what is wrong."""
    try:
        return read_deployment_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def read_deployment_json(data: Any) -> Deployment:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    axis = data["axis"]
    deployment = Deployment(axis=(str(axis["host"]), int(axis["port"])))
    for domain, address in data.get("mail", {}).items():
        deployment.mail[str(domain)] = (str(address["host"]), int(address["port"]))
    for name, process in data.get("processes", {}).items():
        deployment.processes[str(name)] = [str(a) for a in process["agencies"]]
        if process.get("pid") is not None:
            deployment.pids[str(name)] = int(process["pid"])
    return deployment
