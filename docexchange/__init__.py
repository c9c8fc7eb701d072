"""docexchange: a secure electronic document exchange simulator for Vietnamese state agencies.

Layers (each depends only on those listed before it):

- ``docexchange.errors``, ``docexchange.clock``: refusal reasons and the one clock.
- ``docexchange.registry``: agencies, QCVN 102 identifiers, tiers, domains.
- ``docexchange.pki``: the simulated government CA, certificates, CRL/OCSP, path validation.
- ``docexchange.edxml``: edXML document and status messages, hardened parsing, XSD validation.
- ``docexchange.signing``: dual XMLDSig/XAdES signatures and verification to ``VerifiedDocument``.
- ``docexchange.cli``: the ``docexchange`` command.
"""

__version__ = "0.1.0"
