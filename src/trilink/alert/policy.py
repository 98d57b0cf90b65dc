"""Alert policy: thresholds, hysteresis and minimum track quality, read from TOML by the node.

The defaults mirror practice (J-Alert, Korea's civil-defence warnings): a launch
notice when a missile may come toward the nation; "take shelter" for the areas
under a predicted impact or overflight of land or territorial waters; a notice
when the impact is predicted in the sea outside the territorial sea; updates as
the prediction tightens; cancel or all-clear when it no longer holds.
"""

from pathlib import Path

import msgspec

from trilink.model.config import read_toml


class AlertPolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What it takes to alert an area, to keep it alerted, and to say how sure we are."""

    shelter_probability: float = 0.02
    """Shelter an area when P(impact on its land or in its territorial sea) reaches this."""
    clear_probability: float = 0.005
    """Hysteresis: an area stays sheltered until the probability falls below this."""
    notice_probability: float = 0.01
    """Launch notice when P(impact on land, territorial sea or EEZ) reaches this."""
    notice_range_km: float = 300.0
    """...or when the predicted impact lies within this distance of the nation's coast."""
    overflight_margin_km: float = 30.0
    """Minimum half-width of the corridor around the predicted ground track counted as overflight."""
    overflight_sigma_k: float = 2.0
    """The corridor is at least this many cross-track σ wide, the σ at each point being the impact
    ellipse's cross-track σ scaled by the fraction of the range flown there (0 disables)."""
    overflight_max_km: float = 120.0
    """...but never wider than this: a re-acquired track with a ±500 km ellipse would otherwise
    shelter half of Honshu for an overflight that its own centre line does not predict."""
    min_track_updates: int = 3
    """Below this many sensor updates a track's prediction is provisional (certainty Possible)."""
    min_track_age_s: float = 5.0
    """Below this age (s since first measurement) a track's prediction is provisional."""
    likely_ellipse_km: float = 100.0
    """Certainty Likely needs a 95 % impact ellipse semi-major axis at most this; else Possible."""
    update_probability_change: float = 0.15
    """Issue an Update when an alerted probability moves by at least this."""
    update_ellipse_ratio: float = 0.5
    """Issue an Update when the ellipse semi-major axis shrinks to this fraction of the last issued."""
    all_clear_after_s: float = 60.0
    """All-clear this long after the predicted impact (plus 3σ of its time) has passed."""
    lost_track_s: float = 30.0
    """A track missing from the picture this long is reported as lost (said so in an Update)."""
    same_missile_gate: float = 13.82
    """χ²₂ 99.9 %: two tracks' impact (and launch) points closer than this, with their covariances
    and the floor below, are one missile: one incident (``trilink.alert.incidents``)."""
    same_missile_floor_km: float = 25.0
    """Spread between two trackers' predictions of one missile their covariances do not state (1σ)."""
    same_missile_time_s: float = 60.0
    """Impact (and launch) times of one missile agree within max(this, 3σ)."""
    samples: int = 2000
    """Impact samples drawn from the ellipse when the assessment carries none."""


def load_policy(path: Path | None) -> AlertPolicy:
    """The policy in a TOML file (``file:line: message`` on error), or the defaults for None."""
    return AlertPolicy() if path is None else read_toml(path, AlertPolicy)
