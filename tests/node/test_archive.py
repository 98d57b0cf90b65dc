"""The archive is append-only and tamper-evident: any changed byte of any record is found and named."""

import sqlite3
from pathlib import Path

import pytest

from trilink.node.archive import (
    KIND_PICTURE,
    KIND_REPORT_RECEIVED,
    KIND_REPORT_REJECTED,
    Archive,
    read_records,
    verify_archive,
)


def make_archive(path: Path, n: int = 12) -> list[bytes]:
    """An archive with records of several kinds; returns each record's raw blob."""
    blobs = []
    with Archive(path) as archive:
        for i in range(n):
            blob = f"signed-report-{i:03d}-".encode() * 3
            kind = (KIND_REPORT_RECEIVED, KIND_REPORT_REJECTED, KIND_PICTURE)[i % 3]
            archive.append(kind, 1.7e9 + i * 0.25 + 0.125, {"i": i, "note": f"record number {i:03d}"}, blob)
            blobs.append(blob)
            if i % 5 == 4:
                archive.flush()
    return blobs


def test_chain_verifies_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    make_archive(path)
    result = verify_archive(path)
    assert result.ok and result.records == 12
    records = list(read_records(path))
    assert [r.seq for r in records] == list(range(1, 13))
    assert records[3].body == {"i": 3, "note": "record number 003"}
    # reopening continues the same chain
    with Archive(path) as archive:
        archive.append(KIND_PICTURE, 1.8e9, {"more": True})
    assert verify_archive(path).ok and verify_archive(path).records == 13


def test_node_cannot_update_or_delete(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    make_archive(path, 3)
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE records SET body = x'00' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM records WHERE seq = 2")
    db.close()


@pytest.mark.parametrize("column", ["time", "kind", "body", "blob", "prev_hash", "hash"])
def test_any_changed_field_is_named(tmp_path: Path, column: str) -> None:
    path = tmp_path / "a.sqlite"
    make_archive(path, 6)
    for seq in range(1, 7):
        copy = tmp_path / f"copy{seq}.sqlite"
        copy.write_bytes(path.read_bytes())
        db = sqlite3.connect(copy)
        db.execute("DROP TRIGGER records_no_update")
        value = db.execute(f"SELECT {column} FROM records WHERE seq = ?", (seq,)).fetchone()[0]
        if isinstance(value, float):
            changed: object = value + 1e-6
        elif isinstance(value, str):
            changed = value[:-1] + chr(ord(value[-1]) ^ 1)
        else:
            changed = bytes(value[:-1]) + bytes([value[-1] ^ 1])
        db.execute(f"UPDATE records SET {column} = ? WHERE seq = ?", (changed, seq))
        db.commit()
        db.close()
        result = verify_archive(copy)
        assert not result.ok and result.bad_seq == seq, (column, seq, result)


def test_deleted_record_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    make_archive(path, 6)
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER records_no_delete")
    db.execute("DELETE FROM records WHERE seq = 3")
    db.commit()
    db.close()
    result = verify_archive(path)
    assert not result.ok and result.bad_seq == 4 and "missing" in result.reason


def test_every_byte_of_every_record_on_disk(tmp_path: Path) -> None:
    """Flip each byte of each record's stored content in the file itself: always caught, right record."""
    path = tmp_path / "a.sqlite"
    blobs = make_archive(path, 6)
    original = path.read_bytes()
    hashes = [r.hash for r in read_records(path)]
    kinds = [r.kind for r in read_records(path)]
    flips = 0
    for index, (blob, digest) in enumerate(zip(blobs, hashes, strict=True)):
        seq = index + 1
        body_at = original.find(f"record number {index:03d}".encode())
        start = original.rfind(kinds[index].encode(), 0, body_at) - 8   # the 8-byte time before the kind
        end = original.find(digest, body_at) + len(digest)               # its own hash ends the record
        assert 0 < start < body_at < original.find(blob, body_at) < end
        for offset in range(start, end):
            tampered = bytearray(original)
            tampered[offset] ^= 0x01
            copy = tmp_path / "t.sqlite"
            copy.write_bytes(bytes(tampered))
            try:
                result = verify_archive(copy)
            except sqlite3.DatabaseError:
                continue        # SQLite itself refuses the file: also a failure of verification
            assert not result.ok and result.bad_seq == seq, (seq, offset - start, result)
            flips += 1
    assert flips > 6 * 100
