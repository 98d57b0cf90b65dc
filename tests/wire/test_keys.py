"""Keys and trust store: ids, files, permissions, and no key material in any text."""

import os
import stat
from pathlib import Path

import pytest

from trilink.wire import KeyFileError, Signer, TrustStore, key_id_for
from trilink.wire.keys import parse_public_line, read_private, read_public, write_private, write_public


def test_key_id_names_nation_and_key() -> None:
    a, b = Signer.generate("JPN"), Signer.generate("JPN")
    assert a.key_id.startswith("JPN-") and len(a.key_id) == 16 and a.key_id != b.key_id
    assert key_id_for("JPN", a.public_key) == a.key_id
    pem = a.private_pem().decode()
    assert pem.splitlines()[1] not in repr(a) + str(a) + a.public_line()


def test_files_round_trip_with_0600(tmp_path: Path) -> None:
    signer = Signer.generate("KOR")
    write_private(tmp_path / "KOR.key", signer)
    write_public(tmp_path / "KOR.pub", "KOR", signer.public_key)
    assert stat.S_IMODE(os.stat(tmp_path / "KOR.key").st_mode) == 0o600
    assert read_private(tmp_path / "KOR.key").key_id == signer.key_id
    nation, public = read_public(tmp_path / "KOR.pub")
    assert nation == "KOR" and key_id_for(nation, public) == signer.key_id
    with pytest.raises(KeyFileError, match="already exists"):
        write_private(tmp_path / "KOR.key", signer)
    write_private(tmp_path / "KOR.key", Signer.generate("KOR"), overwrite=True)
    assert stat.S_IMODE(os.stat(tmp_path / "KOR.key").st_mode) == 0o600


def test_unusable_files_say_why(tmp_path: Path) -> None:
    signer = Signer.generate("KOR")
    write_private(tmp_path / "mykey.key", signer)
    with pytest.raises(KeyFileError, match="name the file"):
        read_private(tmp_path / "mykey.key")
    os.chmod(tmp_path / "mykey.key", 0o640)
    with pytest.raises(KeyFileError, match="chmod 600"):
        read_private(tmp_path / "mykey.key", "KOR")
    (tmp_path / "x.key").write_text("not a key")
    os.chmod(tmp_path / "x.key", 0o600)
    with pytest.raises(KeyFileError, match="PEM"):
        read_private(tmp_path / "x.key", "KOR")
    for line, why in (("trilink-ed25519 KOR !!!", "base64"), ("trilink-ed25519 KOR AAAA", "32"),
                      ("trilink-ed25519 kr AAAA", "alpha-3"), ("ssh-ed25519 AAAA", "not a trilink")):
        with pytest.raises(KeyFileError, match=why):
            parse_public_line(line)
    (tmp_path / "trust").mkdir()
    (tmp_path / "trust" / "bad.pub").write_text("nonsense\n")
    with pytest.raises(KeyFileError, match=r"bad\.pub"):
        TrustStore.load(tmp_path / "trust")
    with pytest.raises(KeyFileError, match="not a directory"):
        TrustStore.load(tmp_path / "missing")


def test_trust_store_checks_signatures_and_rotation() -> None:
    old, new = Signer.generate("USA"), Signer.generate("USA")
    store = TrustStore.of(old, new)
    assert store.nations() == {"USA"} and store.nation_of(new.key_id) == "USA"
    assert store.check(old.key_id, old.sign(b"m"), b"m") and store.check(new.key_id, new.sign(b"m"), b"m")
    assert not store.check(old.key_id, new.sign(b"m"), b"m")
    assert not store.check("USA-000000000000", old.sign(b"m"), b"m")
    assert not store.check(old.key_id, b"short", b"m")
    direct = TrustStore(keys={old.key_id: ("USA", old.public_key)})  # filled without add()
    assert direct.check(old.key_id, old.sign(b"m"), b"m")


def test_signatures_are_openssls_and_verify_with_the_public_key() -> None:
    """Signing goes through libsodium: the same deterministic Ed25519 signature OpenSSL makes."""
    signer = Signer.generate("KOR")
    for message in (b"", b"m", bytes(range(256)) * 4):
        signature = signer.sign(message)
        assert signature == signer._private.sign(message) and len(signature) == 64
        signer.public_key.verify(signature, message)  # raises if it does not verify
