"""Users, their memberships (organization + role), device tokens and idempotency keys."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongke.lib.masking import mask_phone
from gongke.registry.models import Organization, Place


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")
    ORG_ADMIN = "org_admin", _("Organization admin")
    ORG_STAFF = "org_staff", _("Organization staff")
    REPORTER = "reporter", _("Enterprise reporter")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    VIEWER = "viewer", _("Viewer")


# Roles ordered by what they may do; a user's role over an organization is the strongest of
# the memberships whose subtree contains it.
ROLE_RANK = {
    Role.VIEWER: 0,
    Role.DUTY_OFFICER: 1,
    Role.REPORTER: 2,
    Role.ORG_STAFF: 3,
    Role.ORG_ADMIN: 4,
    Role.PLATFORM_ADMIN: 5,
}
WRITE_ROLES = {
    Role.DUTY_OFFICER,
    Role.REPORTER,
    Role.ORG_STAFF,
    Role.ORG_ADMIN,
    Role.PLATFORM_ADMIN,
}
MANAGE_ROLES = {Role.ORG_STAFF, Role.ORG_ADMIN, Role.PLATFORM_ADMIN}


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or any(
            m.role == Role.PLATFORM_ADMIN for m in self.cached_memberships
        )

    @property
    def cached_memberships(self) -> list["Membership"]:
        cache = getattr(self, "_memberships_cache", None)
        if cache is None:
            cache = list(self.memberships.select_related("organization").all())
            self._memberships_cache = cache
        return cache

    @property
    def primary_membership(self) -> "Membership | None":
        ms = self.cached_memberships
        return max(ms, key=lambda m: ROLE_RANK[Role(m.role)]) if ms else None

    @property
    def primary_organization(self) -> Organization | None:
        m = self.primary_membership
        return m.organization if m else None

    def get_additional_data(self) -> dict:
        """The audit page scopes entries by this path: a new user carries it before joining."""
        path = getattr(self, "_audit_org_path", None)
        if path is None:
            paths = [m.organization.path for m in self.memberships.select_related("organization")]
            path = min(paths, key=len) if paths else ""
        return {"org_path": path}


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    posts = models.ManyToManyField(
        Place,
        verbose_name=_("duty posts"),
        blank=True,
        related_name="duty_memberships",
        limit_choices_to={"kind": "post"},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="accounts_one_role_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A device's bearer token. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("device name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        raw = "gk_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], key_hash=_digest(raw))
        return token, raw

    @staticmethod
    def digest(raw: str) -> str:
        """What key_hash holds for `raw` (also the cache key of the token's grant, see api.auth)."""
        return _digest(raw)

    @classmethod
    def authenticate(cls, raw: str) -> "ApiToken | None":
        return (
            cls.objects.select_related("user")
            .filter(key_hash=_digest(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )


class ClientRequest(models.Model):
    """A creating request seen before, by its client key: a retry gets the first answer back."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=200)
    # A digest of the first request's body: the same key with another body is refused (422).
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="accounts_client_key_once"
            )
        ]
