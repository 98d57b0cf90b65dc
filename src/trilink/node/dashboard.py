"""The demo's live dashboard and final summary table (rich renderables; pure functions of the run)."""

import time
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table

from trilink.geo.ellipse import ellipse_from_covariance
from trilink.geo.units import deg
from trilink.node.demo import DemoRun


def _fmt(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}{unit}"


def nations_table(run: DemoRun) -> Table:
    """Per nation: own tracks, fused tracks, last report latency, reports in/out, rejects."""
    table = Table("nation", "own tracks", "fused", "reports out", "reports in", "last latency s",
                  "rejects", title="nodes", expand=True)
    for nation, node in run.nodes.items():
        core = node.core
        picture = core.picture
        fused = 0 if picture is None else sum(1 for t in picture.tracks if str(t.status) != "dropped")
        latency = max(core.last_report_latency.values()) if core.last_report_latency else None
        rejects = ", ".join(f"{k} {v}" for k, v in core.rejects.most_common(3)) or "0"
        table.add_row(nation, str(len(core.tracks)), str(fused), str(node.published),
                      str(core.counters["reports_received"]), _fmt(latency, digits=2), rejects)
    return table


def missiles_table(run: DemoRun) -> Table:
    """Per fused track at each node: phase, time to impact, predicted impact and ellipse, contributors."""
    table = Table("node", "track", "phase", "class", "TTI s", "impact lat,lon", "ellipse95 km",
                  "contributors", title="fused picture", expand=True)
    for nation, node in run.nodes.items():
        picture = node.core.picture
        if picture is None:
            continue
        for t in picture.tracks:
            if str(t.status) == "dropped":
                continue
            impact = ellipse = tti = "—"
            if t.impact is not None:
                impact = f"{float(deg(t.impact.lat)):.2f},{float(deg(t.impact.lon)):.2f}"
                e = ellipse_from_covariance(t.impact.covariance_en, 0.95)
                ellipse = f"{e.semi_major / 1e3:.1f}×{e.semi_minor / 1e3:.1f}"
                if t.impact.time is not None:
                    tti = f"{max(0.0, t.impact.time - run.now):.0f}"
            nations = ",".join(sorted({n for n, _ in t.contributors}))
            table.add_row(nation, t.fused_id, str(t.phase), str(t.missile_class), tti, impact, ellipse,
                          nations)
    return table


def live_view(run: DemoRun) -> Panel:
    """The whole live dashboard."""
    wall = time.monotonic() - run.wall_started
    title = (f"trilink demo — {run.options.scenario} — {'sharing' if run.options.sharing else 'NO sharing'}"
             f" — scenario T+{run.now - run.start:.0f} s ({run.progress * 100:.0f} %), wall {wall:.0f} s"
             f" — EXERCISE")
    parts: list[Any] = [nations_table(run), missiles_table(run)]
    if run.pages:
        parts.append("pages: " + "   ".join(f"{n} {url}" for n, url in run.pages.items()))
    return Panel(Group(*parts), title=title)


def summary_table(summary: dict[str, Any]) -> Table:
    """The final table: per missile and node, warning times, final prediction error, gain from sharing."""
    table = Table("missile", "node", "own track s", "picture s", "partner report s", "final error km",
                  "own-only error km", "warning gained s", "contributors",
                  title=f"summary — {summary['scenario']} — sharing {'on' if summary['sharing'] else 'off'}"
                        " (times after launch)")
    for missile in summary["missiles"]:
        for nation, row in missile["nodes"].items():
            final = row.get("final_prediction") or {}
            own = row.get("own_final_prediction") or {}
            gained = None
            if row["first_picture_s"] is not None:
                if row["first_track_s"] is None:
                    gained = "only via sharing"
                else:
                    gained = f"{row['first_track_s'] - row['first_picture_s']:.0f}"
            table.add_row(missile["id"], nation, _fmt(row["first_track_s"], digits=1),
                          _fmt(row["first_picture_s"], digits=1), _fmt(row.get("first_report_s"), digits=1),
                          _fmt(final.get("error_km"), digits=2), _fmt(own.get("error_km"), digits=2),
                          gained or "—", ",".join(row.get("contributors", [])))
    return table
