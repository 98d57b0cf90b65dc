"""The alert state machine: ``decide(state, tracks, now, policy) -> (state, decisions)``, pure.

One incident per missile: a track that joins the picture opens one unless it is
the same flight as an open incident's (``trilink.alert.incidents``), which it then
continues; the firmest of an incident's tracks speaks for it. Its first decision is an ``Alert`` (a launch
notice, or "take shelter" for the areas under a predicted impact or overflight);
later ones are ``Update``s that reference every earlier one; it closes with an
all-clear (``Update`` with response ``AllClear``) once the threat has passed, or
a ``Cancel`` when the picture no longer supports any alert before that. An area
stays sheltered while its probability stays above the clear threshold
(hysteresis) or the corridor still crosses it. A provisional track (too few
updates, too young, or a wide ellipse) yields certainty ``Possible`` and words
that say so; never "will fall near". Exercise status is part of the state and
of every decision.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from trilink.alert.exposure import Exposure, exposure
from trilink.alert.incidents import firmest, firmness, same_missile
from trilink.alert.policy import AlertPolicy
from trilink.geo.areas import Area
from trilink.model.assessment import Assessment
from trilink.model.track import Track


class Kind(StrEnum):
    """What a decision tells the public."""

    LAUNCH_NOTICE = "launch_notice"
    SHELTER = "shelter"
    SEA_IMPACT = "sea_impact"
    """Impact predicted in the sea outside the territorial sea (EEZ or beyond): information only."""
    TRACK_LOST = "track_lost"
    ALL_CLEAR = "all_clear"
    CANCEL = "cancel"


class MsgType(StrEnum):
    """CAP message types used."""

    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


@dataclass(frozen=True, slots=True)
class TrackInput:
    """One track of the current picture as the alert logic needs it."""

    track_id: str
    assessment: Assessment
    n_updates: int
    first_time: float
    """Time of the track's first measurement (track age = now − first_time)."""

    @classmethod
    def of(cls, track: Track, assessment: Assessment) -> "TrackInput":
        """From the picture's (fused or own) track and its assessment."""
        return cls(track_id=track.track_id, assessment=assessment, n_updates=track.n_updates,
                   first_time=track.first_time)


@dataclass(frozen=True, slots=True)
class AreaAlert:
    """An area named in a decision and why."""

    area: Area
    shelter: bool
    reason: str
    """``impact``, ``overflight`` or ``impact+overflight``; ``cleared`` when withdrawn in this decision."""
    p_impact: float
    overflight: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class AlertDecision:
    """One public message about one incident (the CAP document and AlertNotice are built from it)."""

    identifier: str
    incident_id: str
    sequence: int
    nation: str
    exercise: bool
    time: float
    track_id: str
    kind: Kind
    msg_type: MsgType
    response: str
    """CAP responseType: ``Shelter``, ``Monitor``, ``AllClear`` or ``None``."""
    urgency: str
    severity: str
    certainty: str
    provisional: bool
    """True when the track is too short or the ellipse too wide for more than ``Possible``."""
    areas: tuple[AreaAlert, ...]
    references: tuple[str, ...]
    """Identifiers of every earlier decision of this incident."""
    reference_times: tuple[float, ...]
    """When each referenced decision was sent (CAP references name sender, identifier and sent)."""
    assessment: Assessment | None
    exposure: Exposure | None
    track_ids: tuple[str, ...] = ()
    """Every picture track the incident holds for the missile (``track_id`` is the one that spoke)."""
    continued_in: str = ""
    """For a ``Cancel`` of a duplicate incident: the incident that carries on for the same missile."""

    @property
    def sheltered_areas(self) -> tuple[Area, ...]:
        """Areas told to take shelter by this decision."""
        return tuple(a.area for a in self.areas if a.shelter)


@dataclass(frozen=True, slots=True)
class Incident:
    """What has been said about one missile so far."""

    incident_id: str
    track_id: str
    decisions: tuple[AlertDecision, ...]
    sheltered: frozenset[Area]
    last_seen: float
    assessment: Assessment | None
    closed: bool = False
    lost_reported: bool = False
    track_ids: frozenset[str] = frozenset()
    """Every picture track that belongs to this incident's missile (``track_id`` speaks for it)."""


@dataclass(frozen=True, slots=True)
class AlertState:
    """The alert state of one nation's node: its incidents, open and closed."""

    nation: str
    exercise: bool
    incidents: dict[str, Incident] = field(default_factory=dict)

    @property
    def active(self) -> tuple[AlertDecision, ...]:
        """The latest decision of each open incident (what the Atom feed lists)."""
        return tuple(i.decisions[-1] for i in self.incidents.values() if not i.closed and i.decisions)


def initial_state(nation: str, *, exercise: bool) -> AlertState:
    """No incidents yet."""
    return AlertState(nation=nation, exercise=exercise)


def _provisional(track: TrackInput, now: float, policy: AlertPolicy) -> bool:
    impact = track.assessment.impact
    return (track.n_updates < policy.min_track_updates or now - track.first_time < policy.min_track_age_s
            or impact is None or impact.ellipse.semi_major > policy.likely_ellipse_km * 1000.0)


def _impact_passed(assessment: Assessment | None, now: float, policy: AlertPolicy) -> bool:
    if assessment is None or assessment.impact is None:
        return False
    impact = assessment.impact
    return now > impact.time + 3.0 * impact.sigma_time + policy.all_clear_after_s


def _wanted_shelter(ex: Exposure, previous: frozenset[Area], policy: AlertPolicy) -> dict[Area, AreaAlert]:
    wanted: dict[Area, AreaAlert] = {}
    for item in ex.areas:
        threshold = policy.clear_probability if item.area in previous else policy.shelter_probability
        by_impact = item.p_impact >= threshold
        if by_impact or item.overflight is not None:
            reason = "+".join(r for r, on in (("impact", by_impact), ("overflight", item.overflight)) if on)
            wanted[item.area] = AreaAlert(area=item.area, shelter=True, reason=reason,
                                          p_impact=item.p_impact, overflight=item.overflight)
    return wanted


def _notice_wanted(ex: Exposure, policy: AlertPolicy) -> bool:
    distance = ex.impact_coast_distance
    near = distance is not None and distance <= policy.notice_range_km * 1000.0
    return (ex.p_land + ex.p_territorial_sea + ex.p_eez >= policy.notice_probability or near
            or ex.overflight is not None)


def _certainty(provisional: bool, ex: Exposure | None, shelter: bool) -> str:
    if provisional or ex is None:
        return "Possible"
    p = ex.p_land + ex.p_territorial_sea if shelter else ex.p_land + ex.p_territorial_sea + ex.p_eez
    return "Likely" if p >= 0.5 or (shelter and ex.overflight is not None) else "Possible"


def _decision(state: AlertState, incident: Incident | None, track_id: str, now: float, kind: Kind,
              areas: tuple[AreaAlert, ...], assessment: Assessment | None, ex: Exposure | None,
              provisional: bool, new_id: str = "") -> AlertDecision:
    previous = incident.decisions if incident else ()
    sequence = len(previous)
    incident_id = incident.incident_id if incident else new_id
    msg_type = MsgType.ALERT if sequence == 0 else (MsgType.CANCEL if kind is Kind.CANCEL else MsgType.UPDATE)
    shelter = any(a.shelter for a in areas)
    response, urgency, severity = {
        Kind.SHELTER: ("Shelter", "Immediate", "Extreme"),
        Kind.LAUNCH_NOTICE: ("Monitor", "Expected", "Severe"),
        Kind.SEA_IMPACT: ("Monitor", "Expected", "Moderate"),
        Kind.TRACK_LOST: ("Shelter" if shelter else "Monitor", "Immediate" if shelter else "Expected",
                          "Extreme" if shelter else "Severe"),
        Kind.ALL_CLEAR: ("AllClear", "Past", "Minor"),
        Kind.CANCEL: ("None", "Past", "Minor"),
    }[kind]
    if kind in (Kind.ALL_CLEAR, Kind.CANCEL):
        certainty = "Observed"
    elif kind is Kind.TRACK_LOST:
        certainty = "Possible"
    else:
        certainty = _certainty(provisional, ex, shelter)
    return AlertDecision(
        identifier=f"trilink-{incident_id}-{sequence}", incident_id=incident_id, sequence=sequence,
        nation=state.nation, exercise=state.exercise, time=now, track_id=track_id, kind=kind,
        msg_type=msg_type, response=response, urgency=urgency, severity=severity, certainty=certainty,
        provisional=provisional or kind is Kind.TRACK_LOST, areas=areas,
        references=tuple(d.identifier for d in previous), reference_times=tuple(d.time for d in previous),
        assessment=assessment, exposure=ex,
        track_ids=tuple(sorted(incident.track_ids | {track_id})) if incident else (track_id,))


def _significant(last: AlertDecision, kind: Kind, areas: dict[Area, AreaAlert], certainty: str,
                 ex: Exposure, assessment: Assessment, policy: AlertPolicy) -> bool:
    if kind is not last.kind or set(areas) != set(last.sheltered_areas) or certainty != last.certainty:
        return True
    before = {a.area: a.p_impact for a in last.areas}
    if any(abs(a.p_impact - before.get(area, 0.0)) >= policy.update_probability_change
           for area, a in areas.items()):
        return True
    old = last.assessment.impact if last.assessment else None
    new = assessment.impact
    ratio = policy.update_ellipse_ratio
    return bool(old and new and new.ellipse.semi_major <= ratio * old.ellipse.semi_major)


def _step(state: AlertState, incident: Incident | None, track: TrackInput, now: float,
          policy: AlertPolicy, new_id: str) -> tuple[Incident | None, AlertDecision | None]:
    assessment = track.assessment
    ex = exposure(assessment, state.nation, policy)
    provisional = _provisional(track, now, policy)
    sheltered = incident.sheltered if incident else frozenset()
    wanted = _wanted_shelter(ex, sheltered, policy)
    if _impact_passed(assessment, now, policy):
        if incident is None:
            return None, None
        return _close(state, incident, now, Kind.ALL_CLEAR, assessment, ex)
    if wanted:
        kind = Kind.SHELTER
    elif _notice_wanted(ex, policy):
        kind = Kind.SEA_IMPACT if (assessment.impact is not None and not provisional) else Kind.LAUNCH_NOTICE
    else:
        kind = None
    if kind is None:
        if incident is None:
            return None, None
        passed = _passed(incident, now)
        return _close(state, incident, now, Kind.ALL_CLEAR if passed else Kind.CANCEL, assessment, ex)
    cleared = _cleared(incident, sheltered - set(wanted), now)
    areas = tuple(wanted.values()) + cleared
    certainty = _certainty(provisional, ex, bool(wanted))
    if incident is not None and not incident.lost_reported and not _significant(
            incident.decisions[-1], kind, wanted, certainty, ex, assessment, policy):
        return replace(incident, last_seen=now, assessment=assessment), None
    decision = _decision(state, incident, track.track_id, now, kind, areas, assessment, ex, provisional,
                         new_id)
    new = Incident(incident_id=decision.incident_id, track_id=track.track_id,
                   decisions=(incident.decisions if incident else ()) + (decision,),
                   sheltered=frozenset(wanted), last_seen=now, assessment=assessment,
                   track_ids=(incident.track_ids if incident else frozenset()) | {track.track_id})
    return new, decision


def _cleared(incident: Incident | None, areas: set[Area] | frozenset[Area], now: float
             ) -> tuple[AreaAlert, ...]:
    """Areas withdrawn: ``passed`` when the missile has already flown over them, else ``cleared``."""
    before = {a.area: a for a in incident.decisions[-1].areas} if incident and incident.decisions else {}
    out = []
    for area in sorted(areas, key=lambda a: a.name):
        window = before[area].overflight if area in before else None
        reason = "passed" if window is not None and window[1] <= now else "cleared"
        out.append(AreaAlert(area=area, shelter=False, reason=reason, p_impact=0.0, overflight=window))
    return tuple(out)


def _passed(incident: Incident, now: float) -> bool:
    """True when every sheltered area was sheltered for an overflight that is now over."""
    last = incident.decisions[-1]
    windows = [a.overflight for a in last.areas if a.shelter]
    return bool(windows) and all(w is not None and w[1] <= now for w in windows)


def _close(state: AlertState, incident: Incident, now: float, kind: Kind,
           assessment: Assessment | None, ex: Exposure | None) -> tuple[Incident, AlertDecision]:
    areas = _cleared(incident, incident.sheltered, now)
    decision = _decision(state, incident, incident.track_id, now, kind, areas, assessment, ex, False)
    return replace(incident, decisions=(*incident.decisions, decision), sheltered=frozenset(),
                   closed=True, assessment=assessment), decision


def _missing(state: AlertState, incident: Incident, now: float,
             policy: AlertPolicy) -> tuple[Incident, AlertDecision | None]:
    """An open incident whose track is no longer in the picture."""
    if _impact_passed(incident.assessment, now, policy) or incident.assessment is None:
        return _close(state, incident, now, Kind.ALL_CLEAR, incident.assessment, None)
    if not incident.lost_reported and now - incident.last_seen >= policy.lost_track_s:
        last = incident.decisions[-1]
        if last.provisional:
            # a track that never became firm and is gone: nothing supports the alert any more
            return _close(state, incident, now, Kind.CANCEL, incident.assessment, last.exposure)
        still = tuple(a for a in last.areas if a.shelter)
        decision = _decision(state, incident, incident.track_id, now, Kind.TRACK_LOST, still,
                             incident.assessment, last.exposure, True)
        return replace(incident, decisions=(*incident.decisions, decision), lost_reported=True), decision
    return incident, None


def _new_incident_id(incidents: dict[str, Incident], nation: str, track_id: str) -> str:
    """``<nation>-<track>``, or with ``-2``, ``-3``… when taken (a track alerted again after a cancel)."""
    base = track_id if track_id.startswith(f"{nation}-") else f"{nation}-{track_id}"
    n, candidate = 1, base
    while candidate in incidents:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _done(incidents: dict[str, Incident], track_id: str) -> bool:
    """True when the track belongs to an incident whose all-clear was given (the threat has passed).

    A track whose alert was cancelled (prediction moved away) may be alerted again as a new incident.
    """
    return any(i.closed and track_id in i.track_ids and i.decisions and i.decisions[-1].kind is Kind.ALL_CLEAR
               for i in incidents.values())


def _group(incidents: dict[str, Incident], tracks: Sequence[TrackInput], now: float, policy: AlertPolicy
           ) -> tuple[list[tuple[Incident | None, list[TrackInput]]], dict[str, str]]:
    """The picture's tracks grouped by missile: each open incident with its tracks, then new groups.

    A track stays with its incident while it is the same flight as the incident's firmest track;
    a track without an incident joins the first open one (or new group) whose prediction it matches.
    Two open incidents whose firmest tracks have become the same flight are one missile: the older
    takes the younger's tracks. Returns the groups and {absorbed incident: the one carrying on}.
    """
    open_ = {k: i for k, i in sorted(incidents.items(), key=lambda kv: (kv[1].decisions[0].time, kv[0]))
             if not i.closed and i.decisions}
    owner = {t: k for k, i in open_.items() for t in i.track_ids}
    members: dict[str, list[TrackInput]] = {k: [] for k in open_}
    loose: list[TrackInput] = []
    for track in sorted(tracks, key=lambda t: t.track_id):
        if track.track_id in owner:
            members[owner[track.track_id]].append(track)
        elif not _done(incidents, track.track_id):
            loose.append(track)
    groups: list[tuple[Incident | None, list[TrackInput]]] = []
    for key, group in members.items():
        if not group:
            continue
        speaker = _speaker(group, now, policy)
        keep = [t for t in group if t is speaker or same_missile(t.assessment, speaker.assessment, policy)]
        loose.extend(t for t in group if t not in keep)
        groups.append((open_[key], keep))
    absorbed: dict[str, str] = {}
    for i, (older, tracks_a) in enumerate(groups):  # oldest incident first (ids sorted by first alert)
        if older is None or older.incident_id in absorbed:
            continue
        for younger, tracks_b in groups[i + 1:]:
            if younger is None or younger.incident_id in absorbed or not same_missile(
                    _speaker(tracks_a, now, policy).assessment, _speaker(tracks_b, now, policy).assessment,
                    policy):
                continue
            tracks_a.extend(tracks_b)
            absorbed[younger.incident_id] = older.incident_id
    groups = [(inc, g) for inc, g in groups if inc is None or inc.incident_id not in absorbed]
    for track in sorted(loose, key=lambda t: (_firmness(t, now, policy), t.track_id)):  # firmest first
        speakers = [(_firmness(sp, now, policy), k) for k, (_, g) in enumerate(groups)
                    for sp in [_speaker(g, now, policy)]
                    if same_missile(track.assessment, sp.assessment, policy)]
        if speakers:  # the same flight as a group: join the one whose speaker is the firmest
            groups[min(speakers)[1]][1].append(track)
        elif track.n_updates >= policy.min_track_updates:
            groups.append((None, [track]))
        # else: a tentative track (too few updates) neither opens an incident nor speaks for one
    return groups, absorbed


def _firmness(track: TrackInput, now: float, policy: AlertPolicy) -> tuple[bool, float, int]:
    return firmness(_provisional(track, now, policy), track.assessment, track.n_updates)


def _speaker(group: Sequence[TrackInput], now: float, policy: AlertPolicy) -> TrackInput:
    """The firmest track of a group: it speaks for the missile."""
    by_id = {t.track_id: t for t in group}
    return by_id[firmest([(_firmness(t, now, policy), t.track_id) for t in group])]


def decide(previous: AlertState, tracks: Sequence[TrackInput], now: float,
           policy: AlertPolicy) -> tuple[AlertState, list[AlertDecision]]:
    """Advance the alert state to ``now`` given the current picture; return the messages to issue."""
    incidents = dict(previous.incidents)
    decisions: list[AlertDecision] = []
    seen: set[str] = set()
    current = {t.track_id for t in tracks}
    groups, absorbed = _group(incidents, tracks, now, policy)
    for gone, survivor in sorted(absorbed.items()):  # a duplicate incident of one missile ends, saying so
        duplicate = incidents[gone]
        closed, decision = _close(previous, duplicate, now, Kind.CANCEL, duplicate.assessment, None)
        decision = replace(decision, continued_in=survivor)
        incidents[gone] = replace(closed, decisions=(*closed.decisions[:-1], decision))
        decisions.append(decision)
    for incident, group in groups:
        speaker = _speaker(group, now, policy)
        ids = frozenset(t.track_id for t in group)
        new_id = incident.incident_id if incident else _new_incident_id(incidents, previous.nation,
                                                                         speaker.track_id)
        if incident is not None:  # members now in the picture but no longer this flight have left it
            incident = replace(incident, track_ids=(incident.track_ids - (current - ids)) | ids)
        updated, decision = _step(previous, incident, speaker, now, policy, new_id)
        if updated is not None:
            incidents[updated.incident_id] = replace(updated, track_id=speaker.track_id,
                                                     track_ids=updated.track_ids | ids)
            seen.add(updated.incident_id)
        if decision is not None:
            decisions.append(decision)
    for key, incident in sorted(incidents.items()):
        if incident.closed or key in seen:
            continue
        updated, decision = _missing(previous, incident, now, policy)
        incidents[key] = updated
        if decision is not None:
            decisions.append(decision)
    return replace(previous, incidents=incidents), decisions
