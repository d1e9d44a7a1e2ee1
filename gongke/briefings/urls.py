from django.urls import path

from . import views

app_name = "briefings"
urlpatterns = [
    path("", views.index, name="index"),
    path("resumption/", views.resumption, name="resumption"),
]
