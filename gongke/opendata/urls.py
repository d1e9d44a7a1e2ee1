from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "json|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "opendata_format")

app_name = "opendata"
urlpatterns = [
    # Public, no sign-in: pages for people, /open/v1 for programs.
    path("", views.index, name="index"),
    path("<int:org_id>/", views.page, name="page"),
    path("<int:org_id>/briefings/<int:pk>.<str:fmt>", views.briefing, name="briefing"),
    path("v1/", views.api_index, name="api-index"),
    path("v1/<int:org_id>/", views.api_organization, name="api-organization"),
    path("v1/<int:org_id>/<slug:slug>.<opendata_format:fmt>", views.data, name="data"),
    # Signed in: the organization admin's switch.
    path("<int:org_id>/settings/", views.settings_page, name="settings"),
]
