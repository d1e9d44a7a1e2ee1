from django.conf import settings

from .access import is_platform_admin, menus_for


def gongke(request):
    user = getattr(request, "user", None)
    membership = user.primary_membership if user is not None and user.is_authenticated else None
    return {
        "LANGUAGES_MENU": settings.LANGUAGES,
        "current_membership": membership,
        "current_org": membership.organization if membership else None,
        "is_platform_admin": is_platform_admin(user),
        "menus": menus_for(user),
    }
