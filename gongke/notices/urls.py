from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.index, name="index"),
    path("received/<int:pk>/", views.received, name="received"),
    path("issued/", views.issued, name="issued"),
    path("calls/", views.calls, name="calls"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.notice, name="notice"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/recipients/<int:recipient_pk>/ack/", views.on_behalf, name="on_behalf"),
    path("<int:pk>/recipients/<int:recipient_pk>/file/", views.answer_file, name="answer_file"),
    path("<int:pk>/export/pending.xlsx", views.export_pending, name="export_pending"),
    path("<int:pk>/export/answers.xlsx", views.export_answers, name="export_answers"),
    path("settings/<int:org_pk>/", views.notice_settings, name="settings"),
    path("public/<int:pk>/", views.public, name="public"),
    path("o/<str:token>.gif", views.opened, name="opened"),
]
