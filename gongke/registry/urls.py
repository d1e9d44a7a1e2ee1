from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.organizations, name="organizations"),
    path("organizations/new/", views.organization_edit, name="organization-new"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_edit, name="person-new"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("places/", views.places, name="places"),
    path("places/new/", views.place_edit, name="place-new"),
    path("places/<int:pk>/", views.place, name="place"),
    path("places/<int:pk>/edit/", views.place_edit, name="place-edit"),
    path("import/", views.import_members, name="import"),
    path("import/<str:kind>/", views.import_members, name="import-kind"),
    path("import/<str:kind>/template.xlsx", views.import_template, name="import-template"),
]
