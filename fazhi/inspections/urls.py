from fazhi.inspections.views import draws, draws_v2, figures, items, plans, pool, tasks

app_name = "inspections"

urlpatterns = [
    *plans.urlpatterns,
    *draws_v2.urlpatterns,
    *draws.urlpatterns,
    *items.urlpatterns,
    *pool.urlpatterns,
    *tasks.urlpatterns,
    *figures.urlpatterns,
]
