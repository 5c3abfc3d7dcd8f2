"""Area keys, as ASTM F3548's ``key``: a write names the opaque versions (OVNs) of everything it saw in its way.

Every conflict the broker shows a party (on a write, a dry-run check or ``GET /conflicts``) carries the OVN of the
other intent or zone. A write that decides an intent (file, change, re-accept) names in ``key`` the OVNs it was
shown. Under the write's region lock the broker recomputes the intents and zones the new volumes meet; if one of
them is not named, nothing is written and the answer is 409 with the conflicts the caller has not seen (``missing``),
the OVNs it named that no longer match (``stale``) and the full current key. So a party never preempts, or is
refused by, something it did not know of: a decision rests on the sky as the filer saw it. OVNs of entities that
do not meet the write are ignored, as in F3548; an empty key is right for an empty sky.

An OVN is per viewer: sha256 over (viewer party id, entity kind, entity id, entity version), 128 bits, base64url.
Versions are random and never shown to other parties, so an OVN tells nothing of the intent behind it, changes
whenever that intent or zone changes, and two parties cannot compare OVNs to find a neighbour they share.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from commonsky.service.errors import AreaChangedError


def ovn(viewer_id: str, kind: str, entity_id: str, version: str) -> str:
    """The OVN that party ``viewer_id`` sees for version ``version`` of intent or zone ``entity_id``."""
    digest = hashlib.sha256("\x1f".join((viewer_id, kind, entity_id, version)).encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def key_of(conflicts: Iterable[Mapping[str, Any]]) -> list[str]:
    """The key a write over these conflicts must name: their OVNs, once each, sorted."""
    return sorted({str(c["ovn"]) for c in conflicts})


def check_key(conflicts: Sequence[Mapping[str, Any]], key: Iterable[str]) -> None:
    """Raise `AreaChangedError` when a conflict's OVN is not in ``key``; extra OVNs are ignored."""
    named = set(key)
    missing = [dict(c) for c in conflicts if c["ovn"] not in named]
    if not missing:
        return
    current = key_of(conflicts)
    unseen = len({c["ovn"] for c in missing})
    raise AreaChangedError(
        f"the area changed: {unseen} intent(s) or zone(s) in the way were not in the key",
        missing=missing,
        stale=sorted(named - set(current)),
        key=current,
    )
