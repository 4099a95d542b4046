"""What other apps may hear from enforcement without enforcement knowing them.

``decision_effective`` is sent inside the transaction in which a penalty decision (outcome
"给予行政处罚") takes effect: when it is served (``case_serve``) or, in the simplified procedure,
when it is decided and handed over on the spot (``case_decide_on_the_spot``). Keyword arguments:
``actor`` and ``case``. A receiver writes through its own app's services, in that transaction: if
it raises, the service and its consequences roll back together (decision 0067).

``decision_revoked`` is sent inside the transaction in which a penalty decision is revoked,
confirmed illegal or confirmed void, by the agency itself or by a reconsideration decision or
judgment (``services.case_decisions``, decision 0082). Keyword arguments: ``actor``, ``case``,
``reason`` and ``on`` (the date). Same contract as above.
"""

from __future__ import annotations

from django.dispatch import Signal

decision_effective = Signal()
decision_revoked = Signal()
