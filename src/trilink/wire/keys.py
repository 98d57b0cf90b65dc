"""Ed25519 signing keys and the trust store (nation → public keys), with their files.

Key id: ``<NATION>-<first 12 hex digits of SHA-256 of the raw public key>``; it
travels in every envelope so a receiver picks the right key and a nation can
rotate keys (several keys per nation may be trusted at once).

Files: a private key is PKCS#8 PEM written with mode 0600 (created so, never
widened); a public key file is one line ``trilink-ed25519 <NATION> <base64 raw
key>``. A trust store is a directory of public key files. Private key material
never appears in ``repr``, logs or error messages.

Keys and files use ``cryptography``; *signing and verification* use PyNaCl (PyCA's
binding to libsodium) because libsodium's Ed25519 is faster than OpenSSL's here —
verify about twice, sign about a third — and both run for every message a node
sends or receives (see benchmarks/bench_wire.py, which measures both). Same keys,
same signatures (Ed25519 signing is deterministic).
"""

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.bindings import crypto_sign, crypto_sign_open, crypto_sign_seed_keypair
from nacl.exceptions import CryptoError

from trilink.model.nations import is_nation_code

PUBLIC_KEY_TAG = "trilink-ed25519"


class KeyFileError(ValueError):
    """A key file or key value is unusable; the message says which and why (no key material)."""


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_for(nation: str, public_key: Ed25519PublicKey) -> str:
    """``<NATION>-<12 hex digits>``: the key id of a nation's public key."""
    return f"{nation}-{hashlib.sha256(raw_public(public_key)).hexdigest()[:12]}"


class Signer:
    """A nation's private signing key. ``repr`` shows only the key id."""

    __slots__ = ("_private", "_sodium_secret", "key_id", "nation", "public_key")

    def __init__(self, nation: str, private_key: Ed25519PrivateKey) -> None:
        if not is_nation_code(nation):
            raise KeyFileError(f"nation {nation!r} is not an ISO 3166-1 alpha-3 code")
        self.nation = nation
        self._private = private_key
        seed = private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                         serialization.NoEncryption())
        self._sodium_secret = crypto_sign_seed_keypair(seed)[1]  # libsodium's form of the same key
        self.public_key = private_key.public_key()
        self.key_id = key_id_for(nation, self.public_key)

    @classmethod
    def generate(cls, nation: str) -> "Signer":
        """A new random key for ``nation``."""
        return cls(nation, Ed25519PrivateKey.generate())

    def sign(self, data: bytes) -> bytes:
        """64-byte Ed25519 signature of ``data`` (libsodium; the signed message follows it, dropped)."""
        return crypto_sign(data, self._sodium_secret)[:64]

    def public_line(self) -> str:
        """The public key file line for this key."""
        return public_line(self.nation, self.public_key)

    def private_pem(self) -> bytes:
        """PKCS#8 PEM of the private key (for writing with mode 0600 only)."""
        return self._private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r})"


def public_line(nation: str, public_key: Ed25519PublicKey) -> str:
    """``trilink-ed25519 <NATION> <base64>``: the text of a public key file."""
    return f"{PUBLIC_KEY_TAG} {nation} {base64.b64encode(raw_public(public_key)).decode()}"


def parse_public_line(text: str) -> tuple[str, Ed25519PublicKey]:
    """Parse a public key line into (nation, key); KeyFileError naming what is wrong."""
    parts = text.strip().split()
    if len(parts) != 3 or parts[0] != PUBLIC_KEY_TAG:
        raise KeyFileError(f"not a trilink public key (expected '{PUBLIC_KEY_TAG} <NATION> <base64>')")
    nation, encoded = parts[1], parts[2]
    if not is_nation_code(nation):
        raise KeyFileError(f"nation {nation!r} is not an ISO 3166-1 alpha-3 code")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError("public key is not valid base64") from None
    if len(raw) != 32:
        raise KeyFileError(f"public key has {len(raw)} bytes, Ed25519 needs 32")
    return nation, Ed25519PublicKey.from_public_bytes(raw)


@dataclass
class TrustStore:
    """The public keys this node trusts: key id → (nation, key)."""

    keys: dict[str, tuple[str, Ed25519PublicKey]] = field(default_factory=dict)
    _raw: dict[str, bytes] = field(default_factory=dict, init=False, repr=False)

    def add(self, nation: str, public_key: Ed25519PublicKey) -> str:
        """Trust ``public_key`` for ``nation``; returns its key id."""
        if not is_nation_code(nation):
            raise KeyFileError(f"nation {nation!r} is not an ISO 3166-1 alpha-3 code")
        key_id = key_id_for(nation, public_key)
        self.keys[key_id] = (nation, public_key)
        self._raw[key_id] = raw_public(public_key)
        return key_id

    def nation_of(self, key_id: str) -> str | None:
        """The nation a trusted key id belongs to, or None when not trusted."""
        entry = self.keys.get(key_id)
        return entry[0] if entry is not None else None

    def nations(self) -> set[str]:
        """Nations with at least one trusted key."""
        return {nation for nation, _ in self.keys.values()}

    def check(self, key_id: str, signature: bytes, data: bytes) -> bool:
        """True when ``signature`` by trusted key ``key_id`` over ``data`` is valid (never raises)."""
        raw = self._raw.get(key_id)
        if raw is None:  # keys added to ``keys`` directly
            entry = self.keys.get(key_id)
            if entry is None:
                return False
            raw = self._raw[key_id] = raw_public(entry[1])
        if len(signature) != 64:
            return False
        try:
            crypto_sign_open(bytes(signature) + bytes(data), raw)
        except (CryptoError, ValueError, TypeError):
            return False
        return True

    @classmethod
    def of(cls, *signers: Signer) -> "TrustStore":
        """A trust store holding the public halves of ``signers`` (tests, simulations)."""
        store = cls()
        for signer in signers:
            store.add(signer.nation, signer.public_key)
        return store

    @classmethod
    def load(cls, directory: Path) -> "TrustStore":
        """Read every ``*.pub`` file of a directory; KeyFileError naming the first bad file."""
        store = cls()
        if not directory.is_dir():
            raise KeyFileError(f"{directory}: trust store is not a directory")
        for path in sorted(directory.glob("*.pub")):
            store.add(*read_public(path))
        return store


# ----------------------------------------------------------------- files (the shell's helpers)


def write_private(path: Path, signer: Signer, *, overwrite: bool = False) -> None:
    """Write a private key as PKCS#8 PEM, created with mode 0600 (never readable by others)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path}: already exists (refusing to overwrite a key)") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, signer.private_pem())
    finally:
        os.close(fd)


def read_private(path: Path, nation: str | None = None) -> Signer:
    """Read a private key file; the nation is taken from the file name (``JPN.key``) unless given."""
    nation = nation or path.stem.split("-")[0]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read ({exc.strerror})") from None
    if os.stat(path).st_mode & 0o077:
        raise KeyFileError(f"{path}: private key is readable by others; chmod 600 it")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: not an unencrypted PKCS#8 PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key")
    if not is_nation_code(nation):
        raise KeyFileError(f"{path}: name the file <NATION>.key (got nation {nation!r})")
    return Signer(nation, key)


def write_public(path: Path, nation: str, public_key: Ed25519PublicKey) -> None:
    """Write a public key file (one line)."""
    path.write_text(public_line(nation, public_key) + "\n", encoding="utf-8")


def read_public(path: Path) -> tuple[str, Ed25519PublicKey]:
    """Read a public key file into (nation, key); KeyFileError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"{path}: cannot read ({exc})") from None
    try:
        return parse_public_line(text)
    except KeyFileError as exc:
        raise KeyFileError(f"{path}: {exc}") from None
