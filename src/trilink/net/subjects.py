"""The subject scheme: releasability lives in the subject, because NATS authorises on subjects only.

``out.<origin>.<kind>``               a nation's outbox (national; never leaves its server)
``tl.<origin>.<recipient>.<kind>``    one report released by ``origin`` to ``recipient``

Nation codes are lower-cased in subjects (ISO alpha-3, e.g. ``tl.kor.jpn.report``). The
recipient token is always one nation: a report released to two partners crosses the
network as two messages, so the exports of each account can name exactly what one partner
may receive. ``kind`` is one of ``KINDS``; ``alert`` is exported only where the agreement
says ``alerts = true``.
"""

import re

#: Message kinds a node may publish; each is one subject token.
KINDS: tuple[str, ...] = ("report", "alert", "status")
#: Kinds released under any agreement (``alert`` only when ``alerts = true``).
ALWAYS_RELEASED: tuple[str, ...] = ("report", "status")

_CODE = re.compile(r"^[A-Z]{3}$")


def token(nation: str) -> str:
    """The subject token of a nation code (``"KOR"`` → ``"kor"``)."""
    if not _CODE.match(nation):
        raise ValueError(f"nation code {nation!r} is not ISO 3166-1 alpha-3")
    return nation.lower()


def check_kind(kind: str) -> str:
    """Return ``kind`` if it is one of ``KINDS``, else raise ValueError naming it."""
    if kind not in KINDS:
        raise ValueError(f"message kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def outbox_subject(origin: str, kind: str) -> str:
    """Subject under which a node stores its own reports nationally (the outbox)."""
    return f"out.{token(origin)}.{check_kind(kind)}"


def wire_subject(origin: str, recipient: str, kind: str) -> str:
    """Subject of one report released by ``origin`` to ``recipient``."""
    return f"tl.{token(origin)}.{token(recipient)}.{check_kind(kind)}"


def released_kinds(alerts: bool) -> tuple[str, ...]:
    """The kinds an agreement releases."""
    return (*ALWAYS_RELEASED, "alert") if alerts else ALWAYS_RELEASED


def parse_wire_subject(subject: str) -> tuple[str, str, str]:
    """``tl.kor.jpn.report`` → ``("KOR", "JPN", "report")``; ValueError if it is not one."""
    parts = subject.split(".")
    if len(parts) != 4 or parts[0] != "tl":
        raise ValueError(f"subject {subject!r} is not tl.<origin>.<recipient>.<kind>")
    return parts[1].upper(), parts[2].upper(), check_kind(parts[3])


def outbox_stream(nation: str) -> str:
    """Name of a nation's outbox stream (on its own server)."""
    return f"TL_OUT_{nation}"


def inbox_stream(origin: str, recipient: str) -> str:
    """Name of the stream on ``recipient``'s server holding what ``origin`` released to it."""
    return f"TL_IN_{origin}_{recipient}"


#: Key-value bucket (on each server) where the courier keeps how far it has forwarded.
COURIER_BUCKET = "TL_COURIER"
