"""XML namespaces used in edXML messages."""

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"

NSMAP = {"edXML": EDXML_NS}


def q(local: str) -> str:
    """Clark notation for an edXML element name."""
    return f"{{{EDXML_NS}}}{local}"


def ds(local: str) -> str:
    return f"{{{DS_NS}}}{local}"


def xades(local: str) -> str:
    return f"{{{XADES_NS}}}{local}"
