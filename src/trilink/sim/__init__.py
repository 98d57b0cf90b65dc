"""Scenarios, allied sensor models and measurement generation (the truth kept apart).

Public API::

    scenario = load_scenario("lofted-icbm")          # a path or a built-in name
    result = run(scenario)                            # SimulationResult
    for m in measurements(scenario): ...              # trilink.model.Measurement, delivery order

The tracker never needs this package: it speaks ``trilink.model.Measurement`` only.
"""

from trilink.sim.objects import SimObject
from trilink.sim.run import SimulationResult, measurements, run
from trilink.sim.scenario import Scenario, builtin_scenarios, load_scenario

__all__ = ["Scenario", "SimObject", "SimulationResult", "builtin_scenarios", "load_scenario",
           "measurements", "run"]
