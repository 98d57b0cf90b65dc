"""Helpers shared by the command modules: user errors and parsing of edge values."""

from trilink.geo.units import parse_lat_lon


class UserError(Exception):
    """Something the user gave was wrong; the message says what. Exit code 2, one line."""


def lat_lon_option(text: str, name: str) -> tuple[float, float]:
    """Parse a ``LAT,LON`` option (degrees) into radians, or raise UserError naming the option."""
    try:
        return parse_lat_lon(text)
    except ValueError as exc:
        raise UserError(f"{name}: {exc}") from None
