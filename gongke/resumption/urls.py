from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "resumption"
urlpatterns = [
    path("", views.index, name="index"),
    # The dashboard lives with the other read-only pages in briefings; old links still work.
    path(
        "dashboard/",
        RedirectView.as_view(pattern_name="briefings:resumption", query_string=True),
    ),
    path("missing/", views.missing, name="missing"),
    path("enterprise/<int:pk>/", views.enterprise, name="enterprise"),
    path("enterprise/<int:pk>/carry-forward/", views.carry_forward, name="carry_forward"),
    path("enterprise/<int:pk>/health/", views.health, name="health"),
    path("enterprise/<int:pk>/health/template.xlsx", views.health_template, name="health_template"),
    path("association/<int:pk>/batch/", views.batch, name="batch"),
    path("association/<int:pk>/settings/", views.reporting_settings, name="settings"),
    path("applications/", views.applications, name="applications"),
    path("applications/new/<int:enterprise_pk>/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("applications/<int:pk>/attach/", views.application_attach, name="application_attach"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment,
        name="attachment",
    ),
    path("fevers/", views.fevers, name="fevers"),
    path("fevers/<int:pk>/", views.fever, name="fever"),
    path("relief/", views.relief, name="relief"),
    path("relief/<int:pk>/", views.programme, name="programme"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
]
