"""one_stop: the one-stop desks (Bộ phận Một cửa) of Hanoi's districts and communes.

Paper dossiers are taken at a desk, queued and digitised in simulated time, then
submitted (channel ``desk``) or, when the scan fails, returned to the citizen
(docs/design.md and docs/flow.md section 4).
"""

from services.one_stop.settings import OneStopSettings

__all__ = ["OneStopSettings"]
