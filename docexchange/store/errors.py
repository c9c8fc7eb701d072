"""Errors raised by the stores.

Malformed arguments (a naive datetime, a number that does not match its notation) are plain
``ValueError``: they are bugs in the caller. What depends on the state of the file is a
:class:`StoreError`, each member also inheriting the matching standard type::

    StoreError (DocexchangeError)
    ├── ConflictError       (ValueError)   the row exists or the transition is not allowed
    ├── NotFoundError       (LookupError)  no such document, outbox item or package
    ├── StoreBusyError      (TimeoutError) another connection held the write lock past the timeout
    └── SchemaVersionError  (RuntimeError) the file was written by a newer schema than this code knows

Each class names its reason code in one place (``default_code``).
"""

from __future__ import annotations

from typing import ClassVar

from docexchange.errors import DocexchangeError, ReasonCode


class StoreError(DocexchangeError):
    """A store operation that cannot be done in the file's current state."""

    default_code: ClassVar[ReasonCode] = ReasonCode.INVALID_ARGUMENT

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


class ConflictError(StoreError, ValueError):
    """A unique key is already taken (a number, a DocumentId) or a state transition is illegal."""

    default_code = ReasonCode.STORE_CONFLICT


class NotFoundError(StoreError, LookupError):
    """The document, outbox item or package does not exist for this agency."""

    default_code = ReasonCode.STORE_NOT_FOUND


class StoreBusyError(StoreError, TimeoutError):
    """Another connection kept the write lock longer than the busy timeout."""

    default_code = ReasonCode.STORE_BUSY


class SchemaVersionError(StoreError, RuntimeError):
    """The file's schema version is newer than this code (or the migration list is malformed)."""

    default_code = ReasonCode.STORE_VERSION
