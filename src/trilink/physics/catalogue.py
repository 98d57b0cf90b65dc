"""Missile catalogue: assumed staged-vehicle parameters for the flight model.

Every figure here is an approximation (see docs/physics.md and
/shared/reference/missiles.md): burn times, masses and drag are not public. Lift-off
masses and boost durations follow the public ranges; propellant fractions and
specific impulses are chosen so each vehicle can fly the highest public lofted
launches of its type (the capability bound), never tuned to one launch. Radar
cross-sections (X-band, head-on-ish average, m²) and ballistic coefficients
(kg/m², β = m/(C_D·A)) are assumed values for the simulator.
"""

from dataclasses import dataclass

from trilink.geo.wgs84 import G0


@dataclass(frozen=True)
class StageSpec:
    """One rocket stage burning at constant thrust and mass flow."""

    thrust: float
    """N (average over the burn)."""
    burn_time: float
    """s."""
    propellant_mass: float
    """kg."""
    dry_mass: float
    """kg (motor case or tanks and engine)."""
    diameter: float
    """m."""
    spent_ballistic_coefficient: float
    """kg/m² of the spent, tumbling stage after separation (assumed)."""
    spent_rcs: float
    """m² of the spent stage (assumed)."""

    @property
    def mass_flow(self) -> float:
        """Propellant mass flow, kg/s."""
        return self.propellant_mass / self.burn_time

    @property
    def specific_impulse(self) -> float:
        """Isp in seconds (thrust / (mass flow · g0))."""
        return self.thrust / (self.mass_flow * G0)


@dataclass(frozen=True)
class MissileSpec:
    """A missile type: stages (bottom first), payload and the assumed signature values."""

    key: str
    name: str
    category: str
    """"SRBM", "IRBM" or "ICBM"."""
    propellant: str
    """"solid" or "liquid"."""
    stages: tuple[StageSpec, ...]
    payload_mass: float
    """kg carried to burnout (re-entry vehicle plus bus)."""
    reentry_ballistic_coefficient: float
    """β of the warhead / re-entry vehicle after burnout, kg/m²."""
    booster_rcs: float
    """m² of the whole missile during boost."""
    rv_rcs: float
    """m² of the re-entry vehicle (or, for SRBMs, the whole body after burnout)."""
    max_range: float
    """m, public claim of the maximum range (a sanity bound only)."""
    vertical_rise: float = 8.0
    """s of vertical flight before the pitch program starts."""
    pitch_shape: float = 0.5
    """Exponent of the pitch program: smaller pitches over faster (SRBMs flying depressed)."""
    boost_drag_coefficient: float = 0.3
    """C_D of the stack during boost (constant, assumed)."""
    separating_payload: bool = True
    """False when the warhead stays on the last stage (single-stage SRBMs): no spent stage then."""
    pull_up: bool = False
    """Can fly a depressed trajectory with a terminal pull-up manoeuvre."""
    lift_to_drag: float = 0.0
    """L/D available for the pull-up manoeuvre (assumed)."""
    aliases: tuple[str, ...] = ()

    @property
    def lift_off_mass(self) -> float:
        """kg."""
        return self.payload_mass + sum(s.propellant_mass + s.dry_mass for s in self.stages)

    @property
    def total_burn_time(self) -> float:
        """s of powered flight at full energy."""
        return sum(s.burn_time for s in self.stages)

    @property
    def diameter(self) -> float:
        """Largest body diameter, m."""
        return max(s.diameter for s in self.stages)

    @property
    def ideal_delta_v(self) -> float:
        """Ideal (vacuum, no gravity) Δv of all stages, m/s."""
        import math

        total, mass = 0.0, self.lift_off_mass
        for stage in self.stages:
            end = mass - stage.propellant_mass
            total += stage.specific_impulse * G0 * math.log(mass / end)
            mass = end - stage.dry_mass
        return total


class UnknownMissileError(KeyError):
    """No catalogue entry by that name (the message lists the known keys)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown missile"


def _stage(isp: float, burn: float, propellant: float, dry: float, diameter: float,
           spent_beta: float, spent_rcs: float) -> StageSpec:
    """A stage from its specific impulse (s): thrust = Isp · g0 · mass flow."""
    return StageSpec(isp * G0 * propellant / burn, burn, propellant, dry, diameter, spent_beta, spent_rcs)


MISSILES: dict[str, MissileSpec] = {
    m.key: m
    for m in (
        MissileSpec(
            key="kn-25", name="KN-25 (600 mm guided rocket)", category="SRBM", propellant="solid",
            stages=(_stage(265.0, 34.0, 2_050.0, 400.0, 0.60, 2_500.0, 0.08),),
            payload_mass=550.0, reentry_ballistic_coefficient=12_000.0,
            booster_rcs=0.08, rv_rcs=0.05, max_range=400e3, vertical_rise=2.0, separating_payload=False,
            pitch_shape=0.3,
            aliases=("kn25",)),
        MissileSpec(
            key="kn-23", name="KN-23 (SRBM, depressed, pull-up)", category="SRBM", propellant="solid",
            stages=(_stage(270.0, 48.0, 2_600.0, 380.0, 0.95, 6_000.0, 0.1),),
            payload_mass=420.0, reentry_ballistic_coefficient=12_000.0,
            booster_rcs=0.1, rv_rcs=0.05, max_range=900e3, vertical_rise=4.0, separating_payload=False,
            pull_up=True, lift_to_drag=3.0, aliases=("kn23", "hwasong-11ga")),
        MissileSpec(
            key="hwasong-12", name="Hwasong-12 (IRBM)", category="IRBM", propellant="liquid",
            stages=(_stage(300.0, 95.0, 22_300.0, 2_150.0, 1.65, 700.0, 2.0),),
            payload_mass=550.0, reentry_ballistic_coefficient=6_000.0,
            booster_rcs=1.5, rv_rcs=0.05, max_range=4_600e3, vertical_rise=8.0,
            aliases=("hwasong12", "hs-12", "kn-17")),
        MissileSpec(
            key="hwasong-14", name="Hwasong-14 (ICBM)", category="ICBM", propellant="liquid",
            stages=(_stage(290.0, 150.0, 25_000.0, 2_300.0, 1.65, 700.0, 2.0),
                    _stage(310.0, 130.0, 3_600.0, 450.0, 1.5, 500.0, 1.0)),
            payload_mass=500.0, reentry_ballistic_coefficient=6_000.0,
            booster_rcs=1.5, rv_rcs=0.05, max_range=10_000e3, vertical_rise=8.0,
            aliases=("hwasong14", "hs-14", "kn-20")),
        MissileSpec(
            key="hwasong-15", name="Hwasong-15 (ICBM)", category="ICBM", propellant="liquid",
            stages=(_stage(290.0, 190.0, 52_000.0, 4_500.0, 2.4, 800.0, 3.0),
                    _stage(310.0, 140.0, 9_500.0, 900.0, 2.0, 600.0, 2.0)),
            payload_mass=800.0, reentry_ballistic_coefficient=8_000.0,
            booster_rcs=3.0, rv_rcs=0.05, max_range=13_000e3, vertical_rise=10.0,
            aliases=("hwasong15", "hs-15", "kn-22")),
        MissileSpec(
            key="hwasong-17", name="Hwasong-17 (ICBM)", category="ICBM", propellant="liquid",
            stages=(_stage(295.0, 200.0, 82_000.0, 6_000.0, 2.9, 800.0, 4.0),
                    _stage(320.0, 160.0, 16_000.0, 1_200.0, 2.4, 600.0, 2.5)),
            payload_mass=1_300.0, reentry_ballistic_coefficient=8_000.0,
            booster_rcs=4.0, rv_rcs=0.05, max_range=15_000e3, vertical_rise=10.0,
            aliases=("hwasong17", "hs-17", "kn-28")),
        MissileSpec(
            key="hwasong-18", name="Hwasong-18 (solid ICBM)", category="ICBM", propellant="solid",
            stages=(_stage(270.0, 80.0, 36_000.0, 3_500.0, 2.0, 1_000.0, 2.5),
                    _stage(280.0, 70.0, 11_000.0, 1_100.0, 1.8, 800.0, 1.5),
                    _stage(285.0, 50.0, 2_100.0, 300.0, 1.5, 600.0, 0.8)),
            payload_mass=800.0, reentry_ballistic_coefficient=8_000.0,
            booster_rcs=2.5, rv_rcs=0.05, max_range=15_000e3, vertical_rise=6.0,
            aliases=("hwasong18", "hs-18")),
        MissileSpec(
            key="hwasong-19", name="Hwasong-19 (solid ICBM)", category="ICBM", propellant="solid",
            stages=(_stage(270.0, 85.0, 42_000.0, 4_000.0, 2.2, 1_000.0, 3.0),
                    _stage(285.0, 75.0, 14_000.0, 1_300.0, 2.0, 800.0, 1.8),
                    _stage(290.0, 55.0, 3_000.0, 350.0, 1.6, 600.0, 0.9)),
            payload_mass=800.0, reentry_ballistic_coefficient=8_000.0,
            booster_rcs=3.0, rv_rcs=0.05, max_range=15_000e3, vertical_rise=6.0,
            aliases=("hwasong19", "hs-19")),
    )
}


def get_missile(key: str) -> MissileSpec:
    """Catalogue entry by key or alias (case-insensitive); UnknownMissileError lists the known keys."""
    wanted = key.strip().lower().replace("_", "-").replace(" ", "-")
    for spec in MISSILES.values():
        if wanted == spec.key or wanted in spec.aliases:
            return spec
    raise UnknownMissileError(f"unknown missile {key!r}; known: {', '.join(MISSILES)}")
