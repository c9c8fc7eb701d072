"""The agency registry: QCVN 102 identifiers, tiers, mail domains and signers, loaded from ``agencies/``.

>>> registry = load_registry()                      # agencies/government-2008.toml
>>> registry.get("000.00.00.G22").short_name
'VPCP'
"""

from docexchange.registry.generation import generate_level2
from docexchange.registry.identifiers import (
    child_identifier,
    is_identifier,
    level1_of,
    level_of,
    parent_of,
    validate_identifier,
)
from docexchange.registry.loader import (
    RegistryFile,
    default_registry_path,
    load_registry,
    parse_registry_text,
    read_registry_file,
    registry_paths,
)
from docexchange.registry.model import Agency, AgencyKind, Registry, Signer, Tier
from docexchange.registry.names import place_name, sort_key, unaccent
from docexchange.registry.schema import RegistryEntry, RegistryHeader
from docexchange.registry.signers import default_signer, simulated_name

__all__ = [
    "Agency",
    "AgencyKind",
    "Registry",
    "RegistryEntry",
    "RegistryFile",
    "RegistryHeader",
    "Signer",
    "Tier",
    "child_identifier",
    "default_registry_path",
    "default_signer",
    "generate_level2",
    "is_identifier",
    "level1_of",
    "level_of",
    "load_registry",
    "parent_of",
    "parse_registry_text",
    "place_name",
    "read_registry_file",
    "registry_paths",
    "simulated_name",
    "sort_key",
    "unaccent",
    "validate_identifier",
]
