from fazhi.inspections.api import draws, draws_v2, figures, items, plans, pool, tasks

urlpatterns = [
    *plans.urlpatterns,
    *draws.urlpatterns,
    *draws_v2.urlpatterns,
    *items.urlpatterns,
    *pool.urlpatterns,
    *tasks.urlpatterns,
    *figures.urlpatterns,
]
