"""The node's Prometheus metrics, one registry per node (several nodes can share a process in the demo).

prometheus-client does the exposition; ``NodeMetrics.serve(port)`` starts its HTTP
endpoint, and ``counters()`` gives the same numbers to the in-process API.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server

_LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


class NodeMetrics:
    """Counters, gauges and histograms of one node, labelled with its nation."""

    def __init__(self, nation: str) -> None:
        self.nation = nation
        self.registry = CollectorRegistry()
        labels = ["nation"]
        self.measurements = Counter("trilink_measurements_total", "Measurements received from own sensors",
                                    labels, registry=self.registry).labels(nation)
        self.reports_sent = Counter("trilink_reports_sent_total", "Signed reports published, per recipient",
                                    [*labels, "recipient"], registry=self.registry)
        self.reports_received = Counter("trilink_reports_received_total",
                                        "Partner reports verified and accepted, per originator",
                                        [*labels, "originator"], registry=self.registry)
        self.rejects = Counter("trilink_reports_rejected_total", "Incoming messages rejected, per reason",
                               [*labels, "reason"], registry=self.registry)
        self.picture_changes = Counter("trilink_picture_changes_total", "Fused picture updates",
                                       labels, registry=self.registry).labels(nation)
        self.own_tracks = Gauge("trilink_own_tracks", "Confirmed own tracks", labels,
                                registry=self.registry).labels(nation)
        self.fused_tracks = Gauge("trilink_fused_tracks", "Fused tracks in the picture", labels,
                                  registry=self.registry).labels(nation)
        self.report_latency = Histogram("trilink_report_latency_seconds",
                                        "Partner report: issued → verified here (node clock)",
                                        labels, buckets=_LATENCY_BUCKETS,
                                        registry=self.registry).labels(nation)
        self.step_seconds = Histogram("trilink_step_seconds", "Wall time of one tracker+fusion step",
                                      labels, buckets=_LATENCY_BUCKETS, registry=self.registry).labels(nation)

    def reject(self, reason: str) -> None:
        """Count one rejected incoming message."""
        self.rejects.labels(self.nation, reason).inc()

    def exposition(self) -> bytes:
        """The Prometheus text exposition of this node's registry."""
        return generate_latest(self.registry)

    def serve(self, port: int, addr: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` over HTTP on ``addr:port`` (a daemon thread of prometheus-client)."""
        start_http_server(port, addr=addr, registry=self.registry)
