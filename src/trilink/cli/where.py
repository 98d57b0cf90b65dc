"""``trilink where LAT,LON [--json]``: country, first-level area, sea zones and coast distances of a point."""

import json
from typing import Annotated

import typer

from trilink.cli.common import lat_lon_option


def register(app: typer.Typer) -> None:
    """Attach the ``where`` command."""
    app.command("where", help="Country, area, territorial sea, EEZ and coast distances of LAT,LON.")(where)


def where(
    position: Annotated[str, typer.Argument(metavar="LAT,LON", help="Degrees, e.g. 41.51,139.37")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the stable JSON contract.")] = False,
) -> None:
    """Print where a point lies: land, territorial sea and EEZ (computed; see docs/geography.md)."""
    lat, lon = lat_lon_option(position, "LAT,LON")
    from trilink.geo.zones import where as locate  # the geography loads only when asked for

    answer = locate(lat, lon)
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    data = answer.to_json()
    area = answer.area
    print(f"country:            {data['country'] or '-'}")
    print(f"area:               {f'{area.name} ({area.code}, {area.local_name})' if area else '-'}")
    print(f"on land:            {'yes' if data['on_land'] else 'no'}")
    print(f"territorial sea of: {data['territorial_sea_of'] or '-'}")
    print(f"EEZ of:             {data['eez_of'] or '-'}")
    distances = data["coast_distance_km"]
    assert isinstance(distances, dict)
    print("coast distance km:  " + "  ".join(f"{k} {v:.1f}" for k, v in distances.items()))
