"""Issue 9 check 4: the OpenAPI schema holds against a running node (schemathesis), no server errors.

Schemathesis' pytest plugin does not load under this pytest, so the test walks the
schema's operations itself and drives each one with schemathesis' own hypothesis
strategy and checks (``call_and_validate``: no 5xx, documented status codes and
content types, responses matching their schemas).
"""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.node_thread import live_demo
from trilink.node.demo import DemoOptions


def test_api_conforms_and_never_fails() -> None:
    options = DemoOptions(scenario="irbm-hokkaido", speed=4.0, stop_after_launch=900.0)
    with live_demo(options) as live:
        base = live.urls["JPN"]
        schema = schemathesis.openapi.from_url(base + "openapi.json")
        tried: list[str] = []
        for result in schema.get_all_operations():
            operation = result.ok()
            tried.append(operation.label)

            @given(case=operation.as_strategy())
            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                      database=None)
            def exercise(case: Any) -> None:
                case.call_and_validate(base_url=base.rstrip("/"))

            exercise()
        assert len(tried) >= 10, tried
        print(f"schemathesis exercised {len(tried)} operations: {', '.join(tried)}")
