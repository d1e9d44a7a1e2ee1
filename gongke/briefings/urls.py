from django.urls import path

from . import views

app_name = "briefings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.briefing, name="briefing"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/briefing.<str:fmt>", views.download, name="download"),
    path("resumption/", views.resumption, name="resumption"),
]
