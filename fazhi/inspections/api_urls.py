from fazhi.inspections.api import draws, figures, items, plans, pool, tasks

urlpatterns = [
    *plans.urlpatterns,
    *draws.urlpatterns,
    *items.urlpatterns,
    *pool.urlpatterns,
    *tasks.urlpatterns,
    *figures.urlpatterns,
]
