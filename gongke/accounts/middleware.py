import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class SessionTimeoutMiddleware:
    """Ends a browser session after SESSION_IDLE_SECONDS without a request, and in any case
    SESSION_MAX_SECONDS after sign-in. Token-authenticated API calls carry no session.

    Both clocks start on the response that signs the user in (or, for a session from before,
    its first request): a clock read with a default of "now" would never run out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            started, seen = session.get("gk_started"), session.get("gk_seen")
            if (
                started is not None
                and seen is not None
                and (
                    now - seen > settings.SESSION_IDLE_SECONDS
                    or now - started > settings.SESSION_MAX_SECONDS
                )
            ):
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}&expired=1")
            # Write the session at most every few seconds, not on every request.
            if seen is None or now - seen > min(30, settings.SESSION_IDLE_SECONDS / 4):
                session["gk_seen"] = now
            session.setdefault("gk_started", now)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            # Signed in through this session (a device token signs in no session: marking one
            # would store a new session row and send a cookie with every token request).
            and SESSION_KEY in request.session
            and "gk_started" not in request.session
        ):  # this response signed the user in
            now = time.time()
            request.session["gk_started"] = request.session["gk_seen"] = now
        return response


class UserLanguageMiddleware:
    """Chooses the language of every response: the signed-in user's choice, else the language
    cookie, else Simplified Chinese. A browser's Accept-Language counts only to pick Traditional
    Chinese for zh-TW / zh-HK / zh-Hant browsers: Gongke is Chinese first, English on request."""

    TRADITIONAL = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")

    def __init__(self, get_response):
        self.get_response = get_response

    def choose(self, request) -> str:
        languages = dict(settings.LANGUAGES)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in languages:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if cookie in languages:
            return cookie
        for part in request.headers.get("Accept-Language", "").lower().split(","):
            tag = part.split(";")[0].strip()
            if tag.startswith("zh"):
                return "zh-hant" if tag.startswith(self.TRADITIONAL) else "zh-hans"
        return settings.LANGUAGE_CODE

    def __call__(self, request):
        code = self.choose(request)
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response


class NoStoreMiddleware:
    """Personal data stays out of caches (the browser's back button on a shared computer, a
    proxy): every answer to a signed-in user (session or device token) and every API answer is
    sent with Cache-Control: no-store, unless the view marked it public itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or request.path.startswith("/api/")) and "public" not in response.get(
            "Cache-Control", ""
        ):
            add_never_cache_headers(response)
        return response
