from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.index, name="index"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/members/", views.member_add, name="member_add"),
    path("teams/<int:pk>/shifts/new/", views.shift_new, name="shift_new"),
    path("teams/<int:pk>/tasks/", views.task_new, name="task_new"),
    path("teams/<int:pk>/routes/", views.route_new, name="route_new"),
    path("routes/<int:pk>/", views.route, name="route"),
    path("issues/<int:pk>/task/", views.issue_task, name="issue_task"),
    path("members/<int:pk>/", views.volunteer, name="volunteer"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("members/<int:pk>/hours/", views.hours_new, name="hours_new"),
    path("members/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("signups/<int:pk>/approve/", views.signup_decide, {"decision": "approve"}, name="approve"),
    path("signups/<int:pk>/reject/", views.signup_decide, {"decision": "reject"}, name="reject"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("no-shows/<int:pk>/seen/", views.no_show_seen, name="no_show_seen"),
    path("hours/", views.hours, name="hours"),
    path("hours/<int:pk>/reverse/", views.hours_reverse, name="hours_reverse"),
    path("posts/<int:pk>/qr/", views.post_qr, name="post_qr"),
    path("resources/", views.resources, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:pk>/", views.resource, name="resource"),
    path("operations/", views.operations, name="operations"),
    path("operations/new/", views.operation_new, name="operation_new"),
    path("operations/map/", views.operations_map, name="operations_map"),
    path("operations/<int:pk>/", views.operation, name="operation"),
    # The volunteer's own pages: no account, a secret link or a signed QR code.
    path("join/<str:token>/", views.join, name="join"),
    path("pass/<str:token>/", views.pass_page, name="pass"),
    path("pass/<str:token>/check-out/", views.pass_check_out, name="check_out"),
    path("pass/<str:token>/rounds/", views.pass_round, name="pass_round"),
    path("check-in/<int:post>/<str:sig>/", views.check_in, name="check_in"),
]
