"""The request a @login_required view sees: its user is signed in, so a User, never anonymous."""

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    """Annotation only (Django builds plain HttpRequests): `request.user` typed as our User."""

    user: User
