"""Area keys, as ASTM F3548's ``key``: a write names the opaque versions (OVNs) of everything it saw in its way.

Every conflict the broker shows a party (on a write, a dry-run check or ``GET /conflicts``) carries an OVN. A
write that decides an intent (file, change, re-accept) names in ``key`` the OVNs it was shown. Under the write's
region lock the broker recomputes what the new volumes meet; if a conflict's OVN is not named, nothing is written
and the answer is 409 with the conflicts the caller has not seen (``missing``), the OVNs it named that no longer
match (``stale``) and the full current key. So a party never preempts, or is refused by, something it was not
shown: a decision rests on the sky as the filer saw it, at the disclosure grid's resolution. OVNs that do not match
a conflict of the write are ignored, as in F3548; an empty key is right for an empty sky.

An OVN is per viewer and per conflict view (`service.disclosure`): sha256 over (viewer party id, kind, and what
the view discloses: own volume, grid cells, whole steps, whole bands, blocking; a zone's id and version), 128
bits, base64url. So it carries no more than the grid: it changes when the coarse view changes, not when another
party's intent merely gets a new version or moves inside the same cells, and it never tells how many intents are
behind it. Two parties cannot compare OVNs to find a neighbour they share.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence

from commonsky.service.errors import AreaChangedError
from commonsky.service.views import ConflictView, view_json


def ovn(viewer_id: str, kind: str, entity_id: str, version: str) -> str:
    """The OVN that party ``viewer_id`` sees for ``version`` of the thing ``kind``/``entity_id`` (for a conflict
    view, ``version`` is the digest of what the view discloses)."""
    digest = hashlib.sha256("\x1f".join((viewer_id, kind, entity_id, version)).encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def key_of(conflicts: Iterable[ConflictView]) -> list[str]:
    """The key a write over these conflicts must name: their OVNs, once each, sorted."""
    return sorted({c.ovn for c in conflicts})


def check_key(conflicts: Sequence[ConflictView], key: Iterable[str]) -> None:
    """Raise `AreaChangedError` when a conflict's OVN is not in ``key``; extra OVNs are ignored."""
    named = set(key)
    missing = [view_json(c) for c in conflicts if c.ovn not in named]
    if not missing:
        return
    current = key_of(conflicts)
    unseen = len({c["ovn"] for c in missing})
    raise AreaChangedError(
        f"the area changed: {unseen} conflict(s) in the way were not in the key",
        missing=missing,
        stale=sorted(named - set(current)),
        key=current,
    )
