from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("", views.index, name="index"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/handle", views.alert_handle, name="alert-handle"),
    path("roster/", views.roster, name="roster"),
    path("area/<int:pk>/", views.area, name="area"),
    path("area/<int:pk>/out/", views.out_list, name="out"),
    path("area/<int:pk>/spots/", views.spots, name="spots"),
    path("org/<int:pk>/", views.organization, name="organization"),
    path("org/<int:pk>/settings/", views.duty_settings, name="settings"),
    path("post/<int:pk>/", views.console, name="console"),
    path("post/<int:pk>/key", views.console_key, name="console-key"),
    path("post/<int:pk>/sync", views.console_sync, name="console-sync"),
    path("post/<int:pk>/devices/", views.console_keys, name="console-keys"),
    path("post/<int:pk>/manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("post/<int:pk>/passages/", views.passages, name="passages"),
    path("post/<int:pk>/poster/", views.poster, name="poster"),
    path("post/<int:pk>/shifts/new", views.shift_new, name="shift-new"),
    path("passage/<int:pk>/", views.passage, name="passage"),
    path("shift/<int:pk>/", views.shift, name="shift"),
    path("p/<str:token>/", views.self_register, name="self"),
    path("p/<str:token>/sync", views.self_sync, name="self-sync"),
]
