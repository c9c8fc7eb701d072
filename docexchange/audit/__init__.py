"""Reconciliation of a run's stores: nothing lost, nothing doubled, every status sequence legal."""

from docexchange.audit.checks import AuditError, AuditResult, Offender, audit, state_folder

__all__ = ["AuditError", "AuditResult", "Offender", "audit", "state_folder"]
