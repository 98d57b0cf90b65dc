"""Nations are ISO 3166-1 alpha-3 codes (``"JPN"``); nothing in trilink is specific to three."""

import re

_CODE = re.compile(r"^[A-Z]{3}$")

#: Display names of the nations the default network and geography know about.
NATION_NAMES: dict[str, str] = {
    "USA": "United States",
    "JPN": "Japan",
    "KOR": "Republic of Korea",
    "PRK": "Democratic People's Republic of Korea",
    "CHN": "China",
    "RUS": "Russia",
    "TWN": "Taiwan",
}


def is_nation_code(code: str) -> bool:
    """True when ``code`` has the shape of an ISO 3166-1 alpha-3 code."""
    return bool(_CODE.match(code))
