"""The Atom feed (RFC 4287) of a node's active alerts, each entry linking its CAP document.

The node serves it at ``/cap/alerts.atom`` and each document at
``/cap/<identifier>.xml``; this module only builds the XML (pure).
"""

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from trilink.alert.cap import cap_alert
from trilink.alert.decide import AlertDecision
from trilink.alert.text import wordings
from trilink.geo.units import iso_time_offset

ATOM_NS = "http://www.w3.org/2005/Atom"
ET.register_namespace("atom", ATOM_NS)


def cap_path(decision: AlertDecision) -> str:
    """The stable URL path of a decision's CAP document."""
    return f"/cap/{decision.identifier}.xml"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(nation: str, active: Sequence[AlertDecision], updated: float, base_url: str = "") -> bytes:
    """Atom XML listing the active decisions (newest first), each with its CAP alert inline."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", f"urn:trilink:{nation}:cap:alerts")
    _sub(feed, "title", f"trilink civil alerts, {nation}")
    _sub(feed, "updated", iso_time_offset(updated))
    author = _sub(feed, "author")
    _sub(author, "name", f"trilink node {nation}")
    _sub(feed, "link", rel="self", href=f"{base_url}/cap/alerts.atom")
    for d in sorted(active, key=lambda x: x.time, reverse=True):
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:trilink:cap:{d.identifier}")
        _sub(entry, "title", wordings(d)[-1].headline)
        _sub(entry, "updated", iso_time_offset(d.time))
        _sub(entry, "link", rel="alternate", type="application/cap+xml", href=f"{base_url}{cap_path(d)}")
        content = _sub(entry, "content", type="application/cap+xml")
        content.append(cap_alert(d))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
