"""From a network description to what each nation's NATS server needs (pure; no files, no sockets).

Per server of nation S:
- the national account ``S`` (JetStream, domain ``s``) with two users: ``s-node`` may publish
  its outbox ``out.s.>`` and ``tl.s.>`` (its direct forwards, ``trilink.net.direct``);
  ``s-courier`` may publish only ``tl.s.>`` (what S releases);
- one *link account* per nation whose server opens a leaf link to S, named after that nation,
  whose only user is the leaf link itself and may publish only under its own prefix;
- routes between accounts on S, generated from the agreements: for each agreement O→R whose
  two accounts are both on S, account R exports an intake *service* ``tl.o.r.<kind>`` to
  account O only, and O imports it. Nothing else crosses accounts, so a report that O did not
  release to R has no route into R's account. Services (not streams) so that the recipient's
  JetStream acknowledgement travels back to the originator.

Links: hub topology, every spoke opens one leaf link to the hub; mesh, for each pair the nation
later in the file opens the link to the earlier one (no transit: each pair talks directly).
"""

from dataclasses import dataclass, field

from trilink.model.network import NetworkConfig
from trilink.net.subjects import released_kinds, token

#: Subjects a JetStream client needs besides its own data subjects.
JS_CLIENT = ("$JS.API.>", "$JS.ACK.>", "$JS.FC.>", "_INBOX.>")
#: Reply subjects that must cross a leaf link (service responses).
REPLIES = ("_INBOX.>", "_R_.>")


@dataclass(frozen=True)
class User:
    """One user of an account with its allowed subjects."""

    name: str
    password: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    comment: str


@dataclass(frozen=True)
class Route:
    """An intake service ``subject`` exported by account ``recipient`` to account ``origin``."""

    origin: str
    recipient: str
    subject: str


@dataclass(frozen=True)
class Account:
    """One account on one server."""

    name: str
    jetstream: bool
    users: tuple[User, ...]
    comment: str


@dataclass(frozen=True)
class Remote:
    """A leaf link this server opens to ``peer``'s server, bound to the local national account."""

    peer: str
    host: str
    port: int
    user: str
    password: str


@dataclass(frozen=True)
class ServerPlan:
    """Everything one nation's server is configured with."""

    nation: str
    host: str
    client_port: int
    leaf_port: int
    """0 when no other nation links to this server (it then opens no leaf listener)."""
    monitor_port: int
    domain: str
    accounts: tuple[Account, ...]
    routes: tuple[Route, ...]
    remotes: tuple[Remote, ...] = field(default=())


def links(network: NetworkConfig) -> list[tuple[str, str]]:
    """The leaf links as ``(connecting nation, listening nation)``."""
    codes = network.nation_codes()
    if network.topology.kind == "hub":
        hub = network.topology.hub
        return [(code, str(hub)) for code in codes if code != hub]
    return [(codes[j], codes[i]) for i in range(len(codes)) for j in range(i + 1, len(codes))]


def released_subjects(network: NetworkConfig, origin: str, recipient: str) -> tuple[str, ...]:
    """The wire subjects ``origin`` releases to ``recipient`` under their agreement (none without one)."""
    agreement = network.agreement_between(origin, recipient)
    if agreement is None:
        return ()
    return tuple(f"tl.{token(origin)}.{token(recipient)}.{kind}" for kind in released_kinds(agreement.alerts))


def national_users(nation: str, passwords: dict[str, str]) -> tuple[User, ...]:
    """The node and courier users of a nation's national account."""
    t = token(nation)
    return (
        User(f"{t}-node", passwords[f"{t}-node"], (f"out.{t}.>", f"tl.{t}.>", *JS_CLIENT), (">",),
             f"{nation} node: stores its reports in its outbox and sends them on as {nation}; nothing else"),
        User(f"{t}-courier", passwords[f"{t}-courier"], (f"tl.{t}.>", "$KV.TL_COURIER.>", *JS_CLIENT),
             (">",), f"{nation} courier: forwards released reports; may publish only as {nation}"),
    )


def link_user(network: NetworkConfig, nation: str, password: str) -> User:
    """The user a nation's leaf link logs in as on a partner's server."""
    t = token(nation)
    incoming = tuple(s for origin in network.nation_codes() if origin != nation
                     for s in released_subjects(network, origin, nation))
    return User(f"{t}-link", password, (f"tl.{t}.>", *REPLIES), (*incoming, *REPLIES),
                f"leaf link from {nation}: sends only as {nation}, receives only what is released to it")


def routes_on(network: NetworkConfig, server: str, accounts: list[str]) -> tuple[Route, ...]:
    """Intake routes on ``server`` between the accounts it holds (transit only at a hub)."""
    transit = network.topology.kind == "hub" and network.topology.hub == server
    result: list[Route] = []
    for agreement in network.agreement:
        o, r = agreement.releaser, agreement.recipient
        if o in accounts and r in accounts and (transit or server in (o, r)):
            result.extend(Route(o, r, s) for s in released_subjects(network, o, r))
    return tuple(result)


def plan_servers(network: NetworkConfig, ports: dict[str, tuple[int, int, int]],
                 passwords: dict[str, str]) -> list[ServerPlan]:
    """Plan every nation's server; ``ports[nation] = (client, leaf, monitor)`` are concrete ports."""
    link_list = links(network)
    hosts = {n.code: n.server.host for n in network.nation}
    plans: list[ServerPlan] = []
    for nation in network.nation_codes():
        incoming = [c for c, listener in link_list if listener == nation]
        accounts = [Account(nation, True, national_users(nation, passwords),
                            f"{nation} national account: its nodes, outbox and inboxes")]
        accounts += [Account(c, False,
                             (link_user(network, c, passwords[f"{token(c)}-link@{token(nation)}"]),),
                             f"link account of {c} on the {nation} server")
                     for c in incoming]
        remotes = tuple(Remote(listener, hosts[listener], ports[listener][1], f"{token(nation)}-link",
                               passwords[f"{token(nation)}-link@{token(listener)}"])
                        for c, listener in link_list if c == nation)
        client, leaf, monitor = ports[nation]
        plans.append(ServerPlan(nation, hosts[nation], client, leaf if incoming else 0, monitor,
                                token(nation), tuple(accounts),
                                routes_on(network, nation, [a.name for a in accounts]), remotes))
    return plans


def password_names(network: NetworkConfig) -> list[str]:
    """Every secret a deployment needs, by name (``kor-node``, ``kor-link@usa``...)."""
    names = [f"{token(n)}-{role}" for n in network.nation_codes() for role in ("node", "courier")]
    names += [f"{token(c)}-link@{token(listener)}" for c, listener in links(network)]
    return names
