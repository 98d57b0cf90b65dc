"""Write a deployment: every server's configuration, TLS material and the nodes' access file.

``write_deployment`` is what ``trilink net config`` runs. Port 0 in the network file is
replaced here by a free port on the server's host, so the files hold concrete addresses.
The access file ``deployment.json`` (mode 0600) tells nodes and ``net up`` where each server
listens and which user each role logs in as.
"""

import json
import secrets
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from trilink.model.network import NetworkConfig
from trilink.net.plan import links, password_names, plan_servers
from trilink.net.render import render_server
from trilink.net.tls import write_tls

ACCESS_FILE = "deployment.json"


@dataclass(frozen=True)
class NationAccess:
    """Where one nation's server listens and how its roles log in."""

    nation: str
    config_file: str
    store_dir: str
    client_url: str
    monitor_url: str
    leaf_port: int
    node_user: str
    node_password: str
    courier_user: str
    courier_password: str
    links_to: tuple[str, ...]
    """Nations whose servers this server opens a leaf link to."""


@dataclass(frozen=True)
class Deployment:
    """A generated deployment: per-nation access, in network file order."""

    name: str
    directory: str
    nations: tuple[NationAccess, ...]

    def access(self, nation: str) -> NationAccess:
        """The access record of one nation (KeyError naming it if absent)."""
        for entry in self.nations:
            if entry.nation == nation:
                return entry
        raise KeyError(f"nation {nation} is not in the deployment {self.name!r}")


def free_port(host: str) -> int:
    """A port that is free on ``host`` now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def write_deployment(network: NetworkConfig, out_dir: Path,
                     remote_addresses: dict[str, dict[str, tuple[str, int]]] | None = None,
                     leaf_ports: dict[str, int] | None = None) -> Deployment:
    """Generate configs, TLS material and ``deployment.json`` for ``network`` under ``out_dir``.

    ``remote_addresses[nation][peer]`` overrides where ``nation``'s link to ``peer`` connects,
    and ``leaf_ports[nation]`` fixes a leaf port (tests put a cuttable relay in between).
    """
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    ports: dict[str, tuple[int, int, int]] = {}
    for nation in network.nation:
        s, host = nation.server, nation.server.host
        leaf = (leaf_ports or {}).get(nation.code) or s.leaf_port or free_port(host)
        monitor = s.monitor_port or free_port("127.0.0.1")
        ports[nation.code] = (s.client_port or free_port(host), leaf, monitor)
    passwords = {name: secrets.token_urlsafe(18) for name in password_names(network)}
    plans = plan_servers(network, ports, passwords)
    tls = write_tls(out_dir / "tls", network.name or "trilink",
                    {n.code: n.server.host for n in network.nation})
    link_list = links(network)
    entries: list[NationAccess] = []
    for plan in plans:
        t = plan.nation.lower()
        store = out_dir / "store" / t
        store.mkdir(parents=True, exist_ok=True)
        conf = out_dir / f"{t}.conf"
        conf.write_text(render_server(plan, tls[plan.nation], store, network.name,
                                      (remote_addresses or {}).get(plan.nation)), encoding="utf-8")
        conf.chmod(0o600)
        entries.append(NationAccess(
            plan.nation, str(conf), str(store), f"nats://{plan.host}:{plan.client_port}",
            f"http://127.0.0.1:{plan.monitor_port}", plan.leaf_port,
            f"{t}-node", passwords[f"{t}-node"], f"{t}-courier", passwords[f"{t}-courier"],
            tuple(listener for c, listener in link_list if c == plan.nation)))
    deployment = Deployment(network.name, str(out_dir), tuple(entries))
    access = out_dir / ACCESS_FILE
    access.write_text(json.dumps(asdict(deployment), indent=2) + "\n", encoding="utf-8")
    access.chmod(0o600)
    return deployment


def read_deployment(directory: Path) -> Deployment:
    """Read ``deployment.json`` written by ``write_deployment``."""
    raw = json.loads((directory / ACCESS_FILE).read_text(encoding="utf-8"))
    nations = tuple(NationAccess(**{**n, "links_to": tuple(n["links_to"])}) for n in raw["nations"])
    return Deployment(raw["name"], raw["directory"], nations)
