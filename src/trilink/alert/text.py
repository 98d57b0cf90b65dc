"""The words of an alert: headline, description and instruction in the nation's language and English.

Every message states the reason (launch, launch time, direction), the areas and
the expected time, as Korea requires since 2023. A provisional prediction is
said to be uncertain ("may fall in or pass over"); only a firm one names a
place the missile is expected to reach. Times are local (fixed offsets below).
"""

import gettext
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

import numpy as np
import pycountry

from trilink.alert.decide import AlertDecision, Kind
from trilink.geo.areas import NATION_LANGUAGE, area_at
from trilink.geo.geodesy import geodesic_inverse
from trilink.geo.territory import country_at

#: Civil time of each nation, hours east of UTC (no daylight saving in these nations).
UTC_OFFSET_H: dict[str, float] = {"JPN": 9.0, "KOR": 9.0, "PRK": 9.0, "CHN": 8.0, "TWN": 8.0}
_COMPASS = {"en": ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"],
            "ja": ["北", "北東", "東", "南東", "南", "南西", "西", "北西"],
            "ko": ["북쪽", "북동쪽", "동쪽", "남동쪽", "남쪽", "남서쪽", "서쪽", "북서쪽"]}

_VERBS = {"en": ("pass over", "fall in or pass over"),
          "ja": ("上空を通過する", "落下または上空を通過する"),
          "ko": ("상공을 통과할", "낙하하거나 상공을 통과할")}


@dataclass(frozen=True, slots=True)
class Wording:
    """One language's text of a decision."""

    language: str
    headline: str
    description: str
    instruction: str


@cache
def _translator(domain: str, language: str) -> Callable[[str], str]:
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language]).gettext
    except OSError:
        return str


def country_name(code: str, language: str) -> str:
    """A country's name in ``language`` (iso-codes translations via pycountry)."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) if language == "en" else None
    return name or _translator("iso3166-1", language)(country.name)


def local_time(epoch: float, nation: str) -> str:
    """``HH:MM`` in the nation's civil time, with the zone (``JST``-style labels avoided: UTC+9)."""
    hours = UTC_OFFSET_H.get(nation, 0.0)
    moment = datetime.fromtimestamp(epoch, tz=UTC).astimezone(timezone(timedelta(hours=hours)))
    return f"{moment:%H:%M} (UTC{'+' if hours >= 0 else '-'}{abs(hours):g})"


def _compass(azimuth: float, language: str) -> str:
    return _COMPASS[language][round(math.degrees(azimuth) / 45.0) % 8]


def _facts(d: AlertDecision, language: str) -> dict[str, str]:
    """The known facts, each in ``language``."""
    a, ex = d.assessment, d.exposure
    facts = {"nation": country_name(d.nation, language), "launch_time": "?", "origin": "?",
             "direction": "?", "impact_time": "?", "ellipse_km": "?", "areas": "", "sea": "",
             "cleared": ""}
    names = [x.area.name if language == "en" else x.area.local_name for x in d.areas if x.shelter]
    cleared = [x.area.name if language == "en" else x.area.local_name for x in d.areas if not x.shelter]
    sep = ", " if language != "ja" else "、"
    facts["areas"] = sep.join(names)
    label = {"en": "No longer under warning: ", "ja": "解除：", "ko": "해제: "}[language]
    facts["cleared"] = label + sep.join(cleared) + ("." if language == "en" else "") if cleared else ""
    overflight_only = bool(names) and all(x.reason == "overflight" for x in d.areas if x.shelter)
    facts["overflight_only"] = "yes" if overflight_only else ""
    facts["verb"] = _VERBS[language][0 if overflight_only else 1]
    if a is not None and a.launch is not None:
        facts["launch_time"] = local_time(a.launch.time, d.nation)
        origin = country_at(a.launch.lat, a.launch.lon)[0]
        if origin:
            place = area_at(origin, a.launch.lat, a.launch.lon)[0]
            facts["origin"] = country_name(origin, language) + (f" ({place.name})" if place else "")
    if a is not None and a.impact is not None:
        facts["impact_time"] = local_time(a.impact.time, d.nation)
        facts["when"] = facts["impact_time"]
        if ex is not None and ex.overflight is not None and overflight_only:
            facts["when"] = local_time(ex.overflight[0], d.nation)
        facts["ellipse_km"] = f"{a.impact.ellipse.semi_major / 1000.0:.0f}"
        track = np.asarray(a.ground_track, dtype=float)
        origin = ((a.launch.lat, a.launch.lon) if a.launch is not None
                  else (track[0, 1], track[0, 2]) if track.ndim == 2 and len(track) else None)
        if origin is not None:
            azimuth = float(geodesic_inverse(origin[0], origin[1], a.impact.lat, a.impact.lon)[1])
            facts["direction"] = _compass(azimuth, language)
    if ex is not None and ex.impact_coast_distance is not None and ex.impact_bearing_area is not None:
        area = ex.impact_bearing_area
        facts["sea_km"] = f"{ex.impact_coast_distance / 1000.0:.0f}"
        facts["sea_dir"] = _compass(ex.impact_bearing or 0.0, language)
        facts["sea_area"] = area.name if language == "en" else area.local_name
        facts["sea_eez"] = "inside" if ex.p_eez >= 0.5 else "outside"
    return facts


def _english(d: AlertDecision, f: dict[str, str]) -> Wording:
    reason = (f"A ballistic missile was launched from {f['origin']} at about {f['launch_time']}, "
              f"heading {f['direction']}." if f["origin"] != "?" else
              f"A ballistic missile is in flight, heading {f['direction']}.")
    prefix = "EXERCISE. " if d.exercise else ""
    if d.kind is Kind.SHELTER and d.provisional:
        head = f"Missile launch: {f['areas']} may be affected. Take shelter now."
        desc = (f"{reason} The track is still short or the prediction uncertain (impact area about "
                f"±{f['ellipse_km']} km): the missile may fall in or pass over {f['areas']}. Expected "
                f"around {f['impact_time']}. More information will follow.")
    elif d.kind is Kind.SHELTER:
        head = f"Missile launch: take shelter now in {f['areas']}."
        desc = (f"{reason} It is expected to {f['verb']} {f['areas']} at about {f['when']} "
                f"(impact area about ±{f['ellipse_km']} km, at about {f['impact_time']}).")
    elif d.kind is Kind.LAUNCH_NOTICE:
        head = f"Missile launch: a missile may come toward {f['nation']}."
        desc = f"{reason} Its path is not yet determined. More information will follow."
    elif d.kind is Kind.SEA_IMPACT:
        head = "Missile expected to fall in the sea outside territorial waters."
        desc = (f"{reason} It is expected to fall about {f.get('sea_km', '?')} km {f.get('sea_dir', '?')} "
                f"of {f.get('sea_area', '?')}, {f.get('sea_eez', '?')} the exclusive economic zone of "
                f"{f['nation']} and outside its territorial waters, at about {f['impact_time']}.")
    elif d.kind is Kind.TRACK_LOST:
        head = "Missile tracking lost: the prediction can no longer be confirmed."
        desc = (f"{reason} Tracking was lost; the last prediction cannot be confirmed. "
                f"{'Areas still warned: ' + f['areas'] + '.' if f['areas'] else ''}")
    elif d.kind is Kind.ALL_CLEAR:
        head = "Missile: the threat has passed. Sheltering is no longer necessary."
        desc = f"{reason} The missile is assessed to have fallen or passed. {f['cleared']}".strip()
    elif d.continued_in:
        head = f"Cancel: this alert is replaced by alert {d.continued_in} about the same missile."
        desc = (f"{reason} Two tracks of the same missile had raised two alerts; this one is withdrawn "
                f"and alert {d.continued_in} continues for the missile.")
    else:
        head = "Cancel: the earlier missile alert no longer applies."
        desc = (f"{reason} The current prediction no longer indicates a threat to the territory of "
                f"{f['nation']}. {f['cleared']}").strip()
    instruction = {
        Kind.SHELTER: "Take shelter immediately in a sturdy building or underground. If there is none, "
                      "take cover and protect your head.",
        Kind.LAUNCH_NOTICE: "Stay alert and follow the information from the authorities.",
        Kind.SEA_IMPACT: "Do not approach any fallen object; report it to the police or coast guard.",
        Kind.TRACK_LOST: "Stay in shelter if you were told to shelter, and follow further information.",
        Kind.ALL_CLEAR: "You may leave shelter. Do not approach any fallen object; report it.",
        Kind.CANCEL: f"Follow alert {d.continued_in}." if d.continued_in else "No action is needed.",
    }[d.kind]
    return Wording("en-US", prefix + head, prefix + desc, instruction)


def _japanese(d: AlertDecision, f: dict[str, str]) -> Wording:
    reason = (f"{f['launch_time']}頃、{f['origin']}から{f['direction']}方向へ弾道ミサイルが発射されました。"
              if f["origin"] != "?" else f"弾道ミサイルが{f['direction']}方向へ飛行中です。")
    prefix = "【訓練】" if d.exercise else ""
    if d.kind is Kind.SHELTER and d.provisional:
        head = f"ミサイル発射。{f['areas']}に影響の可能性。直ちに避難。"
        desc = (f"{reason}追尾時間が短いか予測が不確実です（落下範囲 約±{f['ellipse_km']}km）。"
                f"{f['areas']}に落下または上空を通過する可能性があります。{f['impact_time']}頃。続報に注意。")
    elif d.kind is Kind.SHELTER:
        head = f"ミサイル発射。{f['areas']}の方は直ちに避難してください。"
        where = "の上空を通過する" if f["overflight_only"] else "に落下または上空を通過する"
        desc = f"{reason}{f['when']}頃、{f['areas']}{where}見込みです。"
    elif d.kind is Kind.LAUNCH_NOTICE:
        head = f"ミサイル発射。{f['nation']}に向かう可能性があります。"
        desc = f"{reason}飛行経路はまだ確定していません。続報に注意してください。"
    elif d.kind is Kind.SEA_IMPACT:
        zone = "排他的経済水域内" if f.get("sea_eez") == "inside" else "排他的経済水域外"
        head = "ミサイルは領海外の海域に落下する見込みです。"
        desc = (f"{reason}{f['impact_time']}頃、{f.get('sea_area', '?')}の{f.get('sea_dir', '?')}約"
                f"{f.get('sea_km', '?')}kmの{zone}（領海外）に落下する見込みです。")
    elif d.kind is Kind.TRACK_LOST:
        head = "ミサイルの追尾が途絶えました。予測は確認できません。"
        desc = f"{reason}追尾が途絶え、最後の予測を確認できません。{f['areas']}"
    elif d.kind is Kind.ALL_CLEAR:
        head = "ミサイルの脅威は去りました。避難の必要はありません。"
        desc = f"{reason}ミサイルは落下または通過したとみられます。{f['cleared']}"
    elif d.continued_in:
        head = f"取消：同じミサイルに関する情報{d.continued_in}に引き継ぎます。"
        desc = (f"{reason}同じミサイルの二つの追尾が二つの情報を出していました。"
                f"以後は情報{d.continued_in}に従ってください。")
    else:
        head = "取消：先のミサイル情報は取り消されました。"
        desc = f"{reason}現在の予測では{f['nation']}の領域への脅威はありません。{f['cleared']}"
    instruction = {
        Kind.SHELTER: ("直ちに頑丈な建物や地下に避難してください。"
                       "近くにない場合は物陰に身を隠し、頭部を守ってください。"),
        Kind.LAUNCH_NOTICE: "今後の情報に注意してください。",
        Kind.SEA_IMPACT: "落下物には近寄らず、警察や海上保安庁に通報してください。",
        Kind.TRACK_LOST: "避難している方は引き続き避難し、続報に注意してください。",
        Kind.ALL_CLEAR: "避難を解除できます。落下物には近寄らず通報してください。",
        Kind.CANCEL: (f"情報{d.continued_in}に従ってください。" if d.continued_in
                      else "対応の必要はありません。"),
    }[d.kind]
    return Wording("ja-JP", prefix + head, prefix + desc, instruction)


def _korean(d: AlertDecision, f: dict[str, str]) -> Wording:
    reason = (f"{f['launch_time']}경 {f['origin']}에서 {f['direction']} 방향으로 탄도미사일이 발사되었습니다."
              if f["origin"] != "?" else f"탄도미사일이 {f['direction']} 방향으로 비행 중입니다.")
    prefix = "[훈련] " if d.exercise else ""
    if d.kind is Kind.SHELTER and d.provisional:
        head = f"미사일 발사: {f['areas']} 영향 가능성. 즉시 대피하십시오."
        desc = (f"{reason} 추적 시간이 짧거나 예측이 불확실합니다(낙하 범위 약 ±{f['ellipse_km']}km). "
                f"{f['areas']}에 낙하하거나 상공을 통과할 수 있습니다. {f['impact_time']}경. "
                "후속 정보에 유의하십시오.")
    elif d.kind is Kind.SHELTER:
        head = f"미사일 발사: {f['areas']} 주민은 즉시 대피하십시오."
        desc = f"{reason} {f['when']}경 {f['areas']}에 {f['verb']} 것으로 예상됩니다."
    elif d.kind is Kind.LAUNCH_NOTICE:
        head = f"미사일 발사: {f['nation']} 방향으로 올 가능성이 있습니다."
        desc = f"{reason} 비행 경로는 아직 확정되지 않았습니다. 후속 정보에 유의하십시오."
    elif d.kind is Kind.SEA_IMPACT:
        zone = "배타적경제수역 안" if f.get("sea_eez") == "inside" else "배타적경제수역 밖"
        head = "미사일은 영해 밖 해상에 낙하할 것으로 예상됩니다."
        desc = (f"{reason} {f['impact_time']}경 {f.get('sea_area', '?')} {f.get('sea_dir', '?')} 약 "
                f"{f.get('sea_km', '?')}km, {zone}(영해 밖)에 낙하할 것으로 예상됩니다.")
    elif d.kind is Kind.TRACK_LOST:
        head = "미사일 추적이 끊겼습니다. 예측을 확인할 수 없습니다."
        desc = f"{reason} 추적이 끊겨 마지막 예측을 확인할 수 없습니다. {f['areas']}"
    elif d.kind is Kind.ALL_CLEAR:
        head = "미사일 위협이 지나갔습니다. 대피할 필요가 없습니다."
        desc = f"{reason} 미사일은 낙하했거나 통과한 것으로 판단됩니다. {f['cleared']}"
    elif d.continued_in:
        head = f"취소: 같은 미사일에 대한 경보 {d.continued_in}(으)로 대체됩니다."
        desc = (f"{reason} 같은 미사일의 두 추적이 두 경보를 냈습니다. "
                f"이후 경보 {d.continued_in}을(를) 따르십시오.")
    else:
        head = "취소: 앞선 미사일 경보는 취소되었습니다."
        desc = f"{reason} 현재 예측으로는 {f['nation']} 영역에 대한 위협이 없습니다. {f['cleared']}"
    instruction = {
        Kind.SHELTER: "즉시 튼튼한 건물이나 지하로 대피하십시오. 없으면 몸을 숨기고 머리를 보호하십시오.",
        Kind.LAUNCH_NOTICE: "당국의 후속 정보에 유의하십시오.",
        Kind.SEA_IMPACT: "낙하물에 접근하지 말고 경찰이나 해경에 신고하십시오.",
        Kind.TRACK_LOST: "대피 중인 분은 계속 대피하고 후속 정보에 유의하십시오.",
        Kind.ALL_CLEAR: "대피를 해제해도 됩니다. 낙하물에 접근하지 말고 신고하십시오.",
        Kind.CANCEL: (f"경보 {d.continued_in}을(를) 따르십시오." if d.continued_in
                      else "조치할 필요가 없습니다."),
    }[d.kind]
    return Wording("ko-KR", prefix + head, prefix + desc, instruction)


def wordings(d: AlertDecision) -> list[Wording]:
    """The decision's text in the nation's language (when trilink has one) and in English."""
    language = NATION_LANGUAGE.get(d.nation, "en-US").split("-")[0]
    out = []
    if language == "ja":
        out.append(_japanese(d, _facts(d, "ja")))
    elif language == "ko":
        out.append(_korean(d, _facts(d, "ko")))
    out.append(_english(d, _facts(d, "en")))
    return out
