"""简报: a briefing of an organization for a period, written from the data and edited by staff."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.chinese import to_traditional
from gongke.lib.masking import FreeCharField, FreeTextField
from gongke.registry.models import Organization

from . import render


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed off")
    PUBLISHED = "published", _("Published")


class Briefing(models.Model):
    """One version of a briefing. A draft is edited in place; signing off is a second person's;
    a published version never changes again: editing it makes the next version (same number,
    `previous` pointing back), so what went out stays as it went out."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="briefings",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    title = FreeCharField(pgettext_lazy("document", "title"), max_length=200)
    body = FreeTextField(_("body"), max_length=20000)
    body_en = FreeTextField(_("body (English)"), max_length=20000, blank=True)
    # The figures the text was written from, with their provenance (briefings.facts.collect):
    # every rendering and the notes under the text come from this snapshot.
    facts = models.JSONField(_("figures"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "-number", "-version"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "number", "version"],
                name="briefings_one_version",
            ),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="briefings_period"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="briefings_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}

    @property
    def doc_number(self) -> str:
        """As GB/T 9704 numbers a document: 县工商联〔2026〕3号."""
        issuer = self.organization.short_name or self.organization.name
        return f"{issuer}〔{self.year}〕{self.number}号"

    @property
    def is_editable(self) -> bool:
        return self.status != Status.PUBLISHED

    def version_in(self, language: str) -> tuple[str, str]:
        """(title, body) in one language: zh-Hant converted from the Simplified text; English the
        edited English text, or, while none was written, the rendering of the same facts."""
        if language == render.HANT:
            return to_traditional(self.title), to_traditional(self.body)
        if language == render.EN:
            return self.title_en, self.body_en or render.text(self.facts, render.EN)
        return self.title, self.body

    @property
    def title_en(self) -> str:
        org = self.facts.get("organization", "")
        return f"Briefing No. {self.number} ({self.year}) of {org}"

    @property
    def edited(self) -> bool:
        """Whether the text is not the generated one any more (the hover notes then no longer
        sit on the words: the page shows the notes as a list)."""
        return self.body != render.text(self.facts, render.ZH)
