"""The simulator's public entry points: run a scenario, or stream its measurements."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from trilink.model.measurement import Measurement
from trilink.model.network import NetworkConfig
from trilink.sim.engine import Plan, stream
from trilink.sim.objects import SimObject
from trilink.sim.scenario import Scenario


@dataclass(frozen=True)
class SimulationResult:
    """Measurements in delivery order, and the truth kept apart from them."""

    scenario: Scenario
    network: NetworkConfig
    measurements: list[Measurement]
    truth: dict[int, str | None]
    """Measurement id → id of the object that caused it (None: false alarm)."""
    objects: dict[str, SimObject]
    exercise: bool


def plan(scenario: Scenario, network: NetworkConfig | None = None) -> Plan:
    """The engine's input for a scenario (``network`` overrides the scenario's)."""
    return Plan(objects=tuple(scenario.objects.values()),
                network=network if network is not None else scenario.network,
                start=scenario.start, end=scenario.end, seed=scenario.seed,
                outages=scenario.outages, false_alarm_factor=scenario.false_alarm_factor)


def run(scenario: Scenario, network: NetworkConfig | None = None,
        progress: Callable[[float], None] | None = None) -> SimulationResult:
    """Simulate the whole scenario. ``progress(fraction)`` is called as scenario time advances."""
    measurements: list[Measurement] = []
    truth: dict[int, str | None] = {}
    the_plan = plan(scenario, network)
    for measurement, object_id in stream(the_plan, progress):
        measurements.append(measurement)
        truth[measurement.id] = object_id
    return SimulationResult(scenario=scenario, network=the_plan.network, measurements=measurements,
                            truth=truth, objects=dict(scenario.objects), exercise=scenario.exercise)


def measurements(scenario: Scenario, network: NetworkConfig | None = None) -> Iterator[Measurement]:
    """The scenario's measurements, lazily, in delivery order (the same ones ``run`` returns)."""
    for measurement, _object_id in stream(plan(scenario, network)):
        yield measurement
