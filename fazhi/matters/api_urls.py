from fazhi.matters.api import (
    disclosure_appeals,
    figures,
    hotline,
    letters,
    matters,
    oversight,
    proactive,
    proposals,
)

urlpatterns = [
    *proposals.urlpatterns,
    *hotline.urlpatterns,
    *oversight.urlpatterns,
    *letters.urlpatterns,
    *figures.urlpatterns,
    *disclosure_appeals.urlpatterns,
    *proactive.urlpatterns,
    *matters.urlpatterns,
]
