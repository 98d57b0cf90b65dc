"""Monte-Carlo alert campaigns: N seeded runs of a scenario through the offline chain, scored and summed.

Run ``i`` of a scenario simulates it with seed ``scenario.seed + first_seed + i`` (sensor noise,
scan phases, false alarms and detections change; the flown trajectories are the scenario's), runs
``trilink.eval.pipeline.run_pipeline`` on it and keeps a small JSON-able ``RunSummary``. Runs go
to a process pool (two workers by default: the machine's two cores); the result depends only on the
scenario, the seeds and the options, never on the order in which runs finish.
"""

import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from multiprocessing import get_context
from typing import Any

from trilink.eval.pipeline import PipelineOptions, run_pipeline

ALERT_SCENARIOS = ("irbm-hokkaido", "lofted-icbm", "track-loss-2023-04-13")
"""The built-in scenarios of issue 8's alert checks."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One run's scored outcome (area names; times in seconds after the first launch)."""

    scenario: str
    seed: int
    sharing: bool
    missed: tuple[str, ...]
    false: tuple[str, ...]
    reached: tuple[str, ...]
    alerted: tuple[str, ...]
    first_shelter_s: float | None
    first_alert_s: float | None
    incidents: int
    decisions: int
    pictures: int
    reports_received: dict[str, int]
    rejected: dict[str, int]
    fusion_rejections: dict[str, int]
    alert_contributors: tuple[str, ...]
    wall_s: float


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """The sums over a scenario's runs: the table row of ``trilink evaluate alerts``."""

    scenario: str
    sharing: bool
    runs: int
    missed: int
    runs_with_missed: int
    false: int
    runs_with_false: int
    runs_with_shelter: int
    first_shelter_median_s: float | None
    first_shelter_max_s: float | None
    missed_areas: dict[str, int] = field(default_factory=dict)
    false_areas: dict[str, int] = field(default_factory=dict)
    run_wall_s_mean: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (the ``--json`` contract)."""
        return asdict(self)


@cache
def _scenario(name: str) -> Any:
    from trilink.sim.scenario import load_scenario

    return load_scenario(name)


def warm_up() -> None:
    """Load the geography and coastlines once (worker processes forked afterwards inherit them)."""
    import numpy as np

    from trilink.geo.areas import area_at
    from trilink.geo.zones import where

    where(math.radians(41.5), math.radians(140.0))
    area_at("JPN", np.radians([43.0]), np.radians([142.0]))


def run_one(scenario: str, seed: int, options: PipelineOptions) -> RunSummary:
    """Simulate ``scenario`` with ``seed`` and run the offline chain on it; the scored summary."""
    from trilink.sim.run import run as simulate

    flown = replace(_scenario(scenario), seed=seed)
    outcome = run_pipeline(simulate(flown), options)
    score, launch = outcome.score, outcome.launch_time
    shelters = [d.time for d in outcome.decisions if d.sheltered_areas]
    return RunSummary(
        scenario=scenario, seed=seed, sharing=options.sharing,
        missed=tuple(sorted(a.name for a in score.missed)), false=tuple(sorted(a.name for a in score.false)),
        reached=tuple(sorted(a.name for a in score.reached)),
        alerted=tuple(sorted(a.name for a in score.alerted)),
        first_shelter_s=min(shelters) - launch if shelters else None,
        first_alert_s=None if score.first_alert_time is None else score.first_alert_time - launch,
        incidents=len({d.incident_id for d in outcome.decisions}), decisions=len(outcome.decisions),
        pictures=outcome.pictures, reports_received=outcome.reports_received, rejected=outcome.rejected,
        fusion_rejections=outcome.fusion_rejections,
        alert_contributors=outcome.alert_contributors, wall_s=outcome.wall_s)


def seeds_for(scenario: str, runs: int, first_seed: int = 0) -> list[int]:
    """The seeds of a campaign's runs: run 0 (with ``first_seed`` 0) is the scenario as shipped."""
    base = _scenario(scenario).seed + first_seed
    return [base + i for i in range(runs)]


def summarise(scenario: str, sharing: bool, runs: Sequence[RunSummary]) -> ScenarioResult:
    """Sum missed/false alerts and first-shelter times over runs of one scenario."""
    shelter = [r.first_shelter_s for r in runs if r.first_shelter_s is not None]
    return ScenarioResult(
        scenario=scenario, sharing=sharing, runs=len(runs),
        missed=sum(len(r.missed) for r in runs), runs_with_missed=sum(bool(r.missed) for r in runs),
        false=sum(len(r.false) for r in runs), runs_with_false=sum(bool(r.false) for r in runs),
        runs_with_shelter=len(shelter),
        first_shelter_median_s=statistics.median(shelter) if shelter else None,
        first_shelter_max_s=max(shelter) if shelter else None,
        missed_areas=dict(Counter(a for r in runs for a in r.missed).most_common()),
        false_areas=dict(Counter(a for r in runs for a in r.false).most_common()),
        run_wall_s_mean=statistics.fmean(r.wall_s for r in runs) if runs else 0.0)


def campaign(scenarios: Sequence[str], runs: int, options: PipelineOptions, *, workers: int = 2,
             first_seed: int = 0, on_run: Callable[[RunSummary], None] | None = None) -> list[ScenarioResult]:
    """``runs`` seeded runs of each scenario on ``workers`` processes (1: in this process); one row each."""
    seeds = {s: seeds_for(s, runs, first_seed) for s in scenarios}
    jobs = [(s, seeds[s][i]) for i in range(runs) for s in scenarios]     # interleaved: all progress together
    done: dict[tuple[str, int], RunSummary] = {}
    if workers <= 1 or len(jobs) <= 1:
        for scenario, seed in jobs:
            done[scenario, seed] = run_one(scenario, seed, options)
            if on_run is not None:
                on_run(done[scenario, seed])
    else:
        warm_up()
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            futures = {pool.submit(run_one, s, seed, options): (s, seed) for s, seed in jobs}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                if on_run is not None:
                    on_run(done[futures[future]])
    return [summarise(s, options.sharing, [done[s, seed] for seed in seeds[s]])
            for s in scenarios]


def run_json(run: RunSummary) -> dict[str, Any]:
    """A run summary as a JSON-able dict (one line of a campaign log)."""
    return asdict(run)
