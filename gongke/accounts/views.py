from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongke.lib import ratelimit

from . import lists, services
from .access import (
    admin_organizations,
    get_managed_user,
    is_platform_admin,
    managed_users,
)
from .forms import LoginForm, PasswordResetForm, PostsForm, ProfileForm, RoleForm, UserCreateForm
from .http import AuthenticatedRequest
from .models import ApiToken, Membership, Role


class SignInView(auth_views.LoginView):
    """Django's sign-in, plus a per-address limit across usernames: django-axes locks one
    username at one address; this slows an address that tries many usernames (spraying)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def _key(self) -> str:
        return f"login-failures:{ratelimit.client_key(self.request)}"

    def _window(self) -> int:
        return settings.AXES_COOLOFF_MINUTES * 60

    def post(self, request, *args, **kwargs):
        limit = settings.LOGIN_FAILURES_PER_ADDRESS
        if limit > 0 and ratelimit.used(self._key(), seconds=self._window()) >= limit:
            return render(
                request, "registration/locked_out.html", {"address_paused": True}, status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.take(
            self._key(), 1, limit=settings.LOGIN_FAILURES_PER_ADDRESS, seconds=self._window()
        )
        return super().form_invalid(form)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("language", "")
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        translation.activate(code)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 86400,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        if request.user.is_authenticated and request.user.language != code:
            request.user.language = code
            request.user.save(update_fields=["language"])
    return response


@login_required
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    raw = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:100]
        if not name:
            messages.error(request, _("Give the device a name."))
        else:
            _token, raw = ApiToken.issue(user=request.user, name=name)
    items = request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": items, "raw": raw})


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils import timezone

    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")


def audit_entries(user):
    """Audit entries a user may read: platform admins all, organization admins their subtree."""
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if is_platform_admin(user):
        return qs
    q = Q(pk__in=[])
    for m in user.cached_memberships:
        if m.role == Role.ORG_ADMIN:
            q |= Q(additional_data__org_path__startswith=m.organization.path)
    return qs.filter(q)


def _date(value: str | None):
    try:
        return parse_date(value or "")
    except ValueError:  # well formed but impossible, such as 2026-13-45
        return None


@login_required
def audit(request: AuthenticatedRequest) -> HttpResponseBase:
    if not (
        is_platform_admin(request.user)
        or any(m.role == Role.ORG_ADMIN for m in request.user.cached_memberships)
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only an organization admin may read the audit trail."))
    lst = lists.AUDIT.bind(request, audit_entries(request.user))
    if lst.exporting:
        return lst.export(_("audit trail") + ".xlsx")
    return render(
        request,
        "accounts/audit.html",
        {"list": lst, "page": lst.page, "models": [m for m, _label in lists._models(request)]},
    )


def _require_user_admin(user) -> None:
    from django.core.exceptions import PermissionDenied

    if not (
        is_platform_admin(user) or any(m.role == Role.ORG_ADMIN for m in user.cached_memberships)
    ):
        raise PermissionDenied(_("Only an organization admin may manage users."))


@login_required
def users(request: HttpRequest) -> HttpResponseBase:
    _require_user_admin(request.user)
    qs = (
        managed_users(request.user)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organization"))
        )
        .order_by("username")
    )
    lst = lists.USERS.bind(request, qs)
    if lst.exporting:
        return lst.export(_("users") + ".xlsx")
    return render(request, "accounts/users.html", {"list": lst, "page": lst.page})


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    _require_user_admin(request.user)
    form = UserCreateForm(
        request.POST or None,
        actor=request.user,
        initial={"organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        new = services.create_user(
            username=d["username"],
            password=d["password1"],
            organization=d["organization"],
            role=d["role"],
            display_name=d["display_name"],
            phone=d["phone"],
            email=d["email"],
        )
        messages.success(request, _("The user was created."))
        return redirect("accounts:user", pk=new.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


def _managed_membership(actor, target, pk) -> Membership:
    try:
        return target.memberships.select_related("organization").get(
            pk=pk, organization__in=admin_organizations(actor)
        )
    except (Membership.DoesNotExist, ValueError):
        raise Http404(_("Not found."))


def _user_page(request: HttpRequest, target, password_form=None, status: int = 200) -> HttpResponse:
    inside = set(
        admin_organizations(request.user)
        .filter(pk__in=target.memberships.values("organization_id"))
        .values_list("pk", flat=True)
    )
    rows, elsewhere = [], 0
    for m in target.memberships.select_related("organization").prefetch_related("posts"):
        editable = m.organization_id in inside
        if not editable:  # other organizations' memberships are theirs to show
            elsewhere += 1
            continue
        rows.append(
            {
                "membership": m,
                "editable": editable,
                "role_form": RoleForm(
                    actor=request.user, initial={"role": m.role}, prefix=f"m{m.pk}"
                )
                if editable
                else None,
                "posts_form": (
                    PostsForm(
                        membership=m, initial={"posts": list(m.posts.all())}, prefix=f"p{m.pk}"
                    )
                    if editable and m.role == Role.DUTY_OFFICER
                    else None
                ),
            }
        )
    return render(
        request,
        "accounts/user.html",
        {
            "target": target,
            "rows": rows,
            "elsewhere": elsewhere,
            "password_form": password_form or PasswordResetForm(user=target),
        },
        status=status,
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_page(request, get_managed_user(request.user, pk))


@login_required
@require_POST
def user_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    target = get_managed_user(request.user, pk)
    membership = _managed_membership(request.user, target, membership_pk)
    form = RoleForm(request.POST, actor=request.user, prefix=f"m{membership.pk}")
    if form.is_valid():
        services.change_role(membership=membership, role=form.cleaned_data["role"])
        messages.success(request, _("The role was changed."))
    else:
        messages.error(request, _("Choose a role from the list."))
    return redirect("accounts:user", pk=target.pk)


@login_required
@require_POST
def user_posts(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    target = get_managed_user(request.user, pk)
    membership = _managed_membership(request.user, target, membership_pk)
    form = PostsForm(request.POST, membership=membership, prefix=f"p{membership.pk}")
    if membership.role != Role.DUTY_OFFICER or not form.is_valid():
        messages.error(
            request,
            _("Only a duty officer is bound to posts, and only to posts of their organization."),
        )
    else:
        services.bind_posts(membership=membership, posts=list(form.cleaned_data["posts"]))
        messages.success(request, _("The duty posts were saved."))
    return redirect("accounts:user", pk=target.pk)


@login_required
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_managed_user(request.user, pk, entirely=True)
    if target.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("accounts:user", pk=target.pk)
    active = request.POST.get("active") == "1"
    services.set_active(user=target, active=active)
    messages.success(
        request, _("The account was activated.") if active else _("The account was deactivated.")
    )
    return redirect("accounts:user", pk=target.pk)


@login_required
@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_managed_user(request.user, pk, entirely=True)
    form = PasswordResetForm(request.POST, user=target)
    if form.is_valid():
        services.set_password(user=target, password=form.cleaned_data["password1"], by_admin=True)
        messages.success(
            request, _("The password was reset. Tell the user in person, not by chat.")
        )
        return redirect("accounts:user", pk=target.pk)
    return _user_page(request, target, password_form=form, status=400)


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    user = request.user
    profile_form = ProfileForm(instance=user)
    password_form = PasswordChangeForm(user)
    if request.method == "POST" and request.POST.get("form") == "profile":
        profile_form = ProfileForm(request.POST, instance=user)
        if profile_form.is_valid():
            profile_form.save()
            messages.success(request, _("Your profile was saved."))
            response = redirect("accounts:profile")
            if user.language:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=365 * 86400,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
    elif request.method == "POST" and request.POST.get("form") == "password":
        password_form = PasswordChangeForm(user, request.POST)
        if password_form.is_valid():
            password_form.save()
            update_session_auth_hash(request, password_form.user)
            LogEntry.objects.log_create(
                user, action=LogEntry.Action.UPDATE, changes={"password": ["***", "***"]}
            )
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"profile_form": profile_form, "password_form": password_form},
    )
