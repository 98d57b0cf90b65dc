"""The node's archive: an append-only, hash-chained record of everything it sent, received and decided.

One SQLite file per node, in WAL mode (readers such as ``trilink archive verify``
never block the writing node). Each record holds its sequence number, time, kind,
a JSON body and an optional raw blob (the exact bytes of a report as sent or
received); its hash is SHA-256 over the previous record's hash and its own
content, so changing, inserting or deleting any record breaks the chain from
there on. Triggers refuse UPDATE and DELETE, so the node itself can only append.
Writes are batched into transactions: ``flush()`` commits (the service calls it
periodically and on SIGTERM).

SQLite and hashlib are the maintained pieces; the chain itself is the few lines
of framing below, because no maintained library offers a tamper-evident log in
a single portable file.
"""

import hashlib
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

#: Record kinds the node writes (free-form strings are allowed; these are the documented ones).
KIND_META = "meta"
KIND_REPORT_SENT = "report_sent"
KIND_REPORT_RECEIVED = "report_received"
KIND_REPORT_REJECTED = "report_rejected"
KIND_PICTURE = "picture"
KIND_ALERT = "alert"
KIND_OWN_TRACK = "own_track"

GENESIS = bytes(32)
"""The ``prev_hash`` of the first record."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    blob BLOB NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the archive is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'the archive is append-only'); END;
"""

_ENCODER = msgspec.json.Encoder(order="sorted")


def record_hash(prev_hash: bytes, seq: int, time: float, kind: str, body: bytes, blob: bytes) -> bytes:
    """SHA-256 over the previous hash and the length-framed content of one record."""
    digest = hashlib.sha256(prev_hash)
    kind_bytes = kind.encode("utf-8")
    digest.update(struct.pack(">qdI", seq, time, len(kind_bytes)))
    digest.update(kind_bytes)
    digest.update(struct.pack(">I", len(body)))
    digest.update(body)
    digest.update(struct.pack(">I", len(blob)))
    digest.update(blob)
    return digest.digest()


@dataclass(frozen=True, slots=True)
class Record:
    """One archived record as read back."""

    seq: int
    time: float
    kind: str
    body: dict[str, Any]
    blob: bytes
    hash: bytes


class Archive:
    """Append-only writer of one node's archive file (not thread-safe: one writer task)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        self._seq, self._head = (int(row[0]), bytes(row[1])) if row else (0, GENESIS)
        self._pending = 0
        self.records_written = self._seq

    @property
    def head(self) -> bytes:
        """Hash of the last record appended (GENESIS when empty)."""
        return self._head

    def append(self, kind: str, time: float, body: dict[str, Any], blob: bytes = b"") -> int:
        """Append one record (inside the current batch); returns its sequence number."""
        if self._pending == 0:
            self._db.execute("BEGIN")
        seq = self._seq + 1
        body_bytes = _ENCODER.encode(body)
        digest = record_hash(self._head, seq, float(time), kind, body_bytes, blob)
        self._db.execute(
            "INSERT INTO records (seq, time, kind, body, blob, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, float(time), kind, body_bytes, blob, self._head, digest),
        )
        self._seq, self._head = seq, digest
        self._pending += 1
        self.records_written = seq
        return seq

    def flush(self) -> None:
        """Commit the records appended since the last flush."""
        if self._pending:
            self._db.execute("COMMIT")
            self._pending = 0

    def close(self) -> None:
        """Flush and close the file (checkpointing the WAL into the main file)."""
        self.flush()
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of checking an archive's chain."""

    ok: bool
    records: int
    """Number of records checked (up to and excluding the first bad one)."""
    bad_seq: int | None = None
    reason: str = ""
    head: bytes = GENESIS


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such archive file")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def verify_archive(path: Path) -> VerifyResult:
    """Walk the chain from the first record; report the first record whose content or link is wrong.

    Raises FileNotFoundError for a missing file and sqlite3.DatabaseError for a file
    that is not a readable archive.
    """
    db = _open_read_only(path)
    try:
        prev = GENESIS
        expected_seq = 1
        count = 0
        rows = db.execute("SELECT seq, time, kind, body, blob, prev_hash, hash FROM records ORDER BY seq")
        for seq, time, kind, body, blob, prev_hash, digest in rows:
            body_b, blob_b = _as_bytes(body), _as_bytes(blob)
            if seq != expected_seq:
                reason = f"sequence jumps from {expected_seq - 1} to {seq} (records missing)"
                return VerifyResult(False, count, int(seq), reason, prev)
            if _as_bytes(prev_hash) != prev:
                return VerifyResult(False, count, int(seq), "link to the previous record is broken", prev)
            kind_s = kind if isinstance(kind, str) else str(kind)
            computed = record_hash(prev, int(seq), float(time), kind_s, body_b, blob_b)
            if _as_bytes(digest) != computed:
                return VerifyResult(False, count, int(seq),
                                    f"content does not match its hash (kind {kind_s})", prev)
            try:
                msgspec.json.decode(body_b)
            except msgspec.DecodeError:
                return VerifyResult(False, count, int(seq), "body is not valid JSON", prev)
            prev = computed
            expected_seq += 1
            count += 1
        return VerifyResult(True, count, None, "", prev)
    finally:
        db.close()


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(value).encode("utf-8")


def read_records(path: Path, kinds: tuple[str, ...] | None = None) -> Iterator[Record]:
    """Yield the archive's records in order (optionally only some kinds); does not check the chain."""
    db = _open_read_only(path)
    try:
        for seq, time, kind, body, blob, digest in db.execute(
            "SELECT seq, time, kind, body, blob, hash FROM records ORDER BY seq"
        ):
            if kinds is not None and kind not in kinds:
                continue
            yield Record(int(seq), float(time), str(kind), msgspec.json.decode(_as_bytes(body)),
                         _as_bytes(blob), _as_bytes(digest))
    finally:
        db.close()
