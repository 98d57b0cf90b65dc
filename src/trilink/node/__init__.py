"""The national node: the service wiring tracker, wire, network and fusion together; the archive."""
