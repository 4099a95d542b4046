from fazhi.inspections.views import draws, figures, items, plans, pool, tasks

app_name = "inspections"

urlpatterns = [
    *plans.urlpatterns,
    *draws.urlpatterns,
    *items.urlpatterns,
    *pool.urlpatterns,
    *tasks.urlpatterns,
    *figures.urlpatterns,
]
