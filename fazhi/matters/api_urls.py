from fazhi.matters.api import (
    disclosure_appeals,
    figures,
    letters,
    matters,
    oversight,
    proactive,
    proposals,
)

urlpatterns = [
    *proposals.urlpatterns,
    *oversight.urlpatterns,
    *letters.urlpatterns,
    *figures.urlpatterns,
    *disclosure_appeals.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
