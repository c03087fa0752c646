from django.urls import path

from explorer import views

app_name = "explorer"
urlpatterns = [
    path("", views.explore, name="explore"),
    path("mixes/", views.mixes, name="mixes"),
    path("mixes/<int:pk>/save/", views.mix_save, name="mix-save"),
]
