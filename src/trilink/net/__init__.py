"""The sharing network on NATS JetStream: accounts per nation, hub or mesh links, couriers, transport.

Public API: ``write_deployment`` (``trilink net config``), ``start_network`` (``trilink net up``,
tests, demo), ``Transport`` / ``Subscription`` / ``Delivery`` (nodes). See docs/network.md.
"""

from trilink.net.deploy import Deployment, NationAccess, read_deployment, write_deployment
from trilink.net.running import RunningNetwork, start_network
from trilink.net.server import ServerError, nats_server_binary
from trilink.net.transport import Delivery, Subscription, Transport, TransportError

__all__ = ["Delivery", "Deployment", "NationAccess", "RunningNetwork", "ServerError", "Subscription",
           "Transport", "TransportError", "nats_server_binary", "read_deployment", "start_network",
           "write_deployment"]
