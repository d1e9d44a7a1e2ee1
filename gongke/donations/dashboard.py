"""Home dashboard panel: what was received, pledged and allocated in the user's subtree."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from . import figures
from .rollups import rollup


def home_panels(request: HttpRequest) -> list[str]:
    root = getattr(request.user, "primary_organization", None)
    if root is None:
        return []
    scope = figures.Scope(root=root)
    total = rollup(root, organizations=root.__class__.objects.filter(pk=root.pk))[root.pk]
    ctx = {"root": root, "total": total, "donors_above": figures.donors_above(scope)}
    return [render_to_string("donations/panel.html", ctx, request)]
