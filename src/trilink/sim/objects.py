"""The simulated objects: a missile's warhead (with its booster while it burns) and spent stages."""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from trilink.physics.trajectory import Trajectory

ObjectKind = Literal["warhead", "stage"]


@dataclass(frozen=True)
class SimObject:
    """One physical object the sensors may see, with its truth trajectory."""

    id: str
    """``<launch id>`` for the warhead, ``<launch id>/stage<n>`` for a spent stage."""
    launch_id: str
    kind: ObjectKind
    trajectory: Trajectory
    missile: str
    """Catalogue key of the missile it belongs to."""
    rcs_m2: float
    """Radar cross-section in free flight, m²."""
    boost_rcs_m2: float
    """Radar cross-section while the engine burns (the whole missile body), m²."""

    @property
    def start_time(self) -> float:
        """First instant the object exists (launch, or separation for a stage)."""
        return float(self.trajectory.times[0])

    @property
    def end_time(self) -> float:
        """Impact (or the end of the stored flight)."""
        return float(min(self.trajectory.impact_time, self.trajectory.times[-1]))

    def plume(self, times: np.ndarray) -> np.ndarray:
        """Whether an engine burns at ``times`` (spent stages never do)."""
        if self.kind != "warhead":
            return np.zeros(np.shape(times), dtype=bool)
        return np.asarray(self.trajectory.is_thrusting(times), dtype=bool)

    def rcs(self, times: np.ndarray) -> np.ndarray:
        """Cross-section (m²) at ``times``: the boost figure while burning."""
        return np.where(self.plume(times), self.boost_rcs_m2, self.rcs_m2)
