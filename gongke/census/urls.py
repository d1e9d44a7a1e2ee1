from django.urls import path

from . import views

app_name = "census"
urlpatterns = [
    path("", views.index, name="index"),
    path("area/<int:pk>/", views.area, name="area"),
    path("area/<int:pk>/households/new/", views.household_new, name="household-new"),
    path("area/<int:pk>/export/", views.area_export, name="area-export"),
    path("area/<int:pk>/import/", views.area_import, name="area-import"),
    path("import-template/", views.import_template, name="import-template"),
    path("household/<int:pk>/", views.household, name="household"),
    path("household/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("household/<int:pk>/delete/", views.household_delete, name="household-delete"),
    path("household/<int:pk>/residents/new/", views.resident_new, name="resident-new"),
    path("household/<int:pk>/visits/new/", views.visit_new, name="visit-new"),
    path("resident/<int:pk>/", views.resident, name="resident"),
    path("resident/<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("resident/<int:pk>/merge/<int:other>/", views.resident_merge, name="resident-merge"),
    path("resident/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("resident/<int:pk>/returns/new/", views.return_new, name="return-new"),
    path("resident/<int:pk>/isolations/new/", views.isolation_new, name="isolation-new"),
    path("isolation/<int:pk>/checks/new/", views.check_new, name="check-new"),
    path("isolation/<int:pk>/end/", views.isolation_end, name="isolation-end"),
    path("isolations/", views.isolations, name="isolations"),
    path("visits/", views.visits, name="visits"),
    path("returns/", views.returns, name="returns"),
]
