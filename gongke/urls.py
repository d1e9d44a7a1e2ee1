from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gongke.api.api import api
from gongke.briefings import views as briefing_views
from gongke.ops import health

urlpatterns = [
    # First: URLs are tried in order, and devices call the API far more often than people open pages.
    path("api/v1/", api.urls),
    path("", briefing_views.home, name="home"),
    path("accounts/", include("gongke.accounts.urls")),
    path("registry/", include("gongke.registry.urls")),
    path("donations/", include("gongke.donations.urls")),
    path("census/", include("gongke.census.urls")),
    path("community/", include("gongke.community.urls")),
    path("resumption/", include("gongke.resumption.urls")),
    path("volunteers/", include("gongke.volunteers.urls")),
    path("notices/", include("gongke.notices.urls")),
    path("supplies/", include("gongke.supplies.urls")),
    path("assistance/", include("gongke.assistance.urls")),
    path("briefings/", include("gongke.briefings.urls")),
    path("open/", include("gongke.opendata.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", health.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
