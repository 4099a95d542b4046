"""What every announcement of a plan's draw (抽取公告) publishes about its strata.

Every new announcement is version 2 (``services.announcements_v2``, decision 0057): the
version-1 announce service is retired (no page, endpoint or loader announces with it). Existing
version-1 announcements, draws and exports keep working: ``services.draws`` draws a published
version-1 announcement, and the selectors and ``fazhi draw verify`` verify version-1 draws.
"""

from __future__ import annotations

from typing import Any

from fazhi.inspections.frozen import Frozen


def strata_meta(frozen: Frozen) -> list[dict[str, Any]]:
    """Each stratum's parameters, candidate count, list hash and context hash, sorted by key."""
    contexts = frozen.context_hashes()
    return [
        {
            **s.params(),
            "count": len(s.candidates),
            "hash": s.hash(),
            "context_hash": contexts[s.key],
        }
        for s in sorted(frozen.strata, key=lambda s: s.key)
    ]
