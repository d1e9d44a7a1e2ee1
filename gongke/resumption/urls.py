from django.urls import path

from . import views

app_name = "resumption"
urlpatterns = [
    path("", views.index, name="index"),
]
