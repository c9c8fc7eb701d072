"""The node store's tables, as numbered migrations (append a Migration; never edit a shipped one).

Every table has an ``agency_id`` column and every key starts with it, so one file may hold the
registers of several agencies (a process hosting many nodes); a ``NodeStore`` object serves one.
Times are fixed-width ISO 8601 text in Vietnam time (see ``codec``), dates ISO text, lists JSON.
"""

from __future__ import annotations

from docexchange.store.sqlite import Migration

_CHANNELS = "('axis', 'mail', 'http', 'paper')"

_V1 = (
    # Last number handed out per agency, register, year and series (Decree 30: restart every
    # 1 January; secret documents have their own series). Incoming numbers use series 'normal'.
    """CREATE TABLE counters (
        agency_id TEXT NOT NULL,
        register TEXT NOT NULL CHECK (register IN ('outgoing', 'incoming')),
        year INTEGER NOT NULL,
        series TEXT NOT NULL CHECK (series IN ('normal', 'secret')),
        last INTEGER NOT NULL CHECK (last >= 0),
        PRIMARY KEY (agency_id, register, year, series)
    ) WITHOUT ROWID""",
    """CREATE TABLE outgoing (
        id INTEGER PRIMARY KEY,
        agency_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        year INTEGER NOT NULL,
        series TEXT NOT NULL CHECK (series IN ('normal', 'secret')),
        number INTEGER NOT NULL CHECK (number >= 1),
        code_text TEXT NOT NULL,
        promulgation_date TEXT NOT NULL,
        type_and_subject TEXT NOT NULL,
        signer TEXT NOT NULL,
        recipients TEXT NOT NULL,
        file_holder TEXT NOT NULL,
        copies INTEGER NOT NULL CHECK (copies >= 0),
        date_sent TEXT,
        receipt TEXT NOT NULL DEFAULT '{}',
        notes TEXT NOT NULL,
        signed_message BLOB,
        registered_at TEXT NOT NULL,
        frozen INTEGER NOT NULL DEFAULT 0 CHECK (frozen IN (0, 1)),
        frozen_at TEXT,
        UNIQUE (agency_id, document_id),
        UNIQUE (agency_id, year, series, number),
        CHECK (frozen = 0 OR frozen_at IS NOT NULL)
    )""",
    f"""CREATE TABLE incoming (
        id INTEGER PRIMARY KEY,
        agency_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        year INTEGER NOT NULL,
        incoming_number INTEGER NOT NULL CHECK (incoming_number >= 1),
        date_received TEXT NOT NULL,
        issuing_agency TEXT NOT NULL,
        code_text TEXT NOT NULL,
        code_key TEXT NOT NULL,
        promulgation_date TEXT NOT NULL,
        type_and_subject TEXT NOT NULL,
        receiving_unit TEXT NOT NULL,
        date_handed_on TEXT,
        receipt TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN {_CHANNELS}),
        signed_message BLOB,
        state TEXT NOT NULL,
        duplicate_of TEXT,
        destroyed INTEGER NOT NULL DEFAULT 0 CHECK (destroyed IN (0, 1)),
        destroyed_at TEXT,
        UNIQUE (agency_id, document_id),
        UNIQUE (agency_id, year, incoming_number),
        CHECK (destroyed = 0 OR (signed_message IS NULL AND destroyed_at IS NOT NULL))
    )""",
    # code_key = issuer | promulgation year | number without leading zeros / notation
    "CREATE INDEX incoming_by_code ON incoming (agency_id, code_key)",
    f"""CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        agency_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN {_CHANNELS}),
        kind TEXT NOT NULL CHECK (kind IN ('document', 'status')),
        payload BLOB NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('pending', 'in_flight', 'sent', 'failed', 'fallen_back', 'paper')),
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        sent_at TEXT,
        rerouted_from INTEGER REFERENCES outbox (id)
    )""",
    # The queue order of due(): urgent first, then oldest due, then first queued.
    """CREATE INDEX outbox_due ON outbox (agency_id, priority DESC, next_attempt_at, id)
        WHERE state = 'pending'""",
    "CREATE INDEX outbox_by_document ON outbox (agency_id, document_id)",
    "CREATE INDEX outbox_in_flight ON outbox (agency_id) WHERE state = 'in_flight'",
    """CREATE TABLE status_log (
        id INTEGER PRIMARY KEY,
        agency_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        counterpart TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        status_code TEXT NOT NULL CHECK (length(status_code) = 2),
        at TEXT NOT NULL,
        reason_code TEXT,
        description TEXT NOT NULL DEFAULT '',
        UNIQUE (agency_id, document_id, counterpart, direction, status_code, at)
    )""",
)

NODE_MIGRATIONS: tuple[Migration, ...] = (Migration(1, _V1, "registers, numbering, outbox and status log"),)
