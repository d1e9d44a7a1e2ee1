from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="language"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke-token"),
    path("audit/", views.audit, name="audit"),
    path("profile/", views.profile, name="profile"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user-new"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/memberships/<int:membership_pk>/role/", views.user_role, name="user-role"),
    path(
        "users/<int:pk>/memberships/<int:membership_pk>/posts/", views.user_posts, name="user-posts"
    ),
    path("users/<int:pk>/active/", views.user_active, name="user-active"),
    path("users/<int:pk>/password/", views.user_password, name="user-password"),
]
