from fazhi.matters.api import hotline, matters

urlpatterns = [*hotline.urlpatterns, *matters.urlpatterns]
