"""TLS material for the links between nations' servers: one private CA per deployment.

Written with ``cryptography`` (ECDSA P-256 keys, SHA-256 signatures). Every server gets one
certificate valid for its host name and for loopback, used both to accept leaf links and to
open them (mutual TLS). Files are PEM with a comment header saying what each one is.
"""

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = dt.timedelta(days=365)


@dataclass(frozen=True)
class ServerTls:
    """Paths of one server's TLS files."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, comment: str, pem: bytes, private: bool = False) -> None:
    header = "".join(f"# {line}\n" for line in comment.splitlines()).encode()
    path.write_bytes(header + pem)
    if private:
        path.chmod(0o600)


def _name(common_name: str, deployment: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"trilink {deployment}"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def write_tls(out_dir: Path, deployment: str, servers: dict[str, str],
              now: dt.datetime | None = None) -> dict[str, ServerTls]:
    """Create a private CA and one certificate per server (``{nation: host}``) under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("trilink private CA", deployment)
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(start + VALIDITY)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                              critical=True)
               .sign(ca_key, hashes.SHA256()))
    ca_file = out_dir / "ca.pem"
    _write(ca_file, f"Private certificate authority of the trilink deployment {deployment!r}.\n"
           "Every server trusts only certificates signed by it on the links between nations.\n"
           "Its key is not kept: to add a server, generate the deployment again.",
           ca_cert.public_bytes(serialization.Encoding.PEM))
    result: dict[str, ServerTls] = {}
    for nation, host in servers.items():
        key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = [x509.DNSName(f"{nation.lower()}.trilink"), x509.DNSName("localhost"),
                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
        cert = (x509.CertificateBuilder().subject_name(_name(f"{nation} NATS server", deployment))
                .issuer_name(ca_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(start + VALIDITY)
                .add_extension(x509.SubjectAlternativeName(list(dict.fromkeys(names))), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                      ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(ca_key, hashes.SHA256()))
        cert_file, key_file = out_dir / f"{nation.lower()}-cert.pem", out_dir / f"{nation.lower()}-key.pem"
        _write(cert_file, f"Certificate of the {nation} server (links to and from other nations).",
               cert.public_bytes(serialization.Encoding.PEM))
        _write(key_file, f"Private key of the {nation} server. Keep it on that server only.",
               _key_pem(key), private=True)
        result[nation] = ServerTls(ca_file, cert_file, key_file)
    return result
