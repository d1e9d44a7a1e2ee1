"""Forms only parse; services.save_notice and friends check and write."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongke.accounts.access import scoped
from gongke.donations.models import Campaign
from gongke.registry.access import organizations_for, people_for
from gongke.registry.models import Industry, Organization, OrgKind, Person, Position, Township
from gongke.resumption.models import Category

from .access import sending_organizations
from .models import Channel, FieldKind, Kind, Notice

LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _parse_fields(text: str) -> list[dict[str, Any]]:
    """One field a line: "label | kind | required" (kind: text, number, date, file)."""
    out = []
    kinds = {str(k.label).lower(): k.value for k in FieldKind} | {k: k for k in FieldKind.values}
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        kind = kinds.get(parts[1].lower() if len(parts) > 1 and parts[1] else "text")
        if kind is None:
            raise ValidationError(_("Unknown kind of field: %(kind)s") % {"kind": parts[1]})
        required = len(parts) > 2 and parts[2].lower() in {"required", "必填", "yes", "1"}
        out.append({"label": parts[0], "kind": kind, "required": required})
    return out


def _parse_ladder(text: str) -> list[dict[str, Any]]:
    """One step a line: "hours: channel, channel" (e.g. "6: robot, email", "24: call")."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        hours, _sep, rest = line.replace("：", ":").partition(":")
        channels = [c.strip() for c in rest.replace("，", ",").split(",") if c.strip()]
        out.append({"hours": hours.strip(), "channels": channels})
    return out


def fields_text(fields: list[dict]) -> str:
    return "\n".join(
        f"{f['label']} | {f['kind']}" + (" | required" if f.get("required") else "") for f in fields
    )


def ladder_text(ladder: list[dict]) -> str:
    return "\n".join(f"{s['hours']:g}: {', '.join(s['channels'])}" for s in ladder)


class NoticeForm(forms.Form):
    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("issued by")
    )  # type: ignore[arg-type]
    kind = forms.ChoiceField(choices=Kind.choices, label=_("kind"))
    title = forms.CharField(max_length=200, label=_("title"))
    doc_number = forms.CharField(
        max_length=60, required=False, label=_("document number"),
        help_text=_("e.g. 博工商联〔2020〕3号"),
    )  # fmt: skip
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}), label=_("body"),
        help_text=_("Plain text (a blank line between paragraphs) or HTML with headings, lists "
                    "and tables; anything else (scripts, styles) is removed."),
    )  # fmt: skip
    signature = forms.CharField(
        max_length=200, required=False, label=_("issuing organization (signature)")
    )
    signed_on = forms.DateField(
        required=False, label=_("date of issue"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title_hant = forms.CharField(
        max_length=200, required=False, label=_("title (Traditional Chinese)")
    )
    body_hant = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False,
        label=_("body (Traditional Chinese)"),
    )  # fmt: skip
    derive_hant = forms.BooleanField(
        required=False, label=_("Make the Traditional Chinese version from the Simplified one")
    )
    title_en = forms.CharField(max_length=200, required=False, label=_("title (English)"))
    body_en = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("body (English)")
    )
    # Audience
    all = forms.BooleanField(required=False, label=_("All members of the organization"))
    chambers = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(), required=False, label=_("Chosen chambers")
    )
    industries = forms.MultipleChoiceField(
        choices=Industry.choices, required=False, label=_("industry")
    )
    townships = forms.ModelMultipleChoiceField(
        queryset=Township.objects.order_by("name"), required=False, label=_("township")
    )
    executive = forms.BooleanField(required=False, label=_("Executive committee enterprises only"))
    positions = forms.MultipleChoiceField(
        choices=Position.choices, required=False, label=_("position")
    )
    party = forms.BooleanField(required=False, label=_("Party members only"))
    volunteers = forms.BooleanField(required=False, label=_("Volunteers only"))
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(), required=False, label=_("Hand-picked organizations")
    )
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, label=_("Hand-picked people")
    )
    # Delivery and acknowledgement
    channels = forms.MultipleChoiceField(
        choices=[(c.value, c.label) for c in Channel if c != Channel.CALL],
        initial=[Channel.APP], required=False, widget=forms.CheckboxSelectMultiple,
        label=_("channels"),
    )  # fmt: skip
    ack_required = forms.BooleanField(
        required=False, initial=True, label=_("acknowledgement asked")
    )
    ack_note_required = forms.BooleanField(required=False, label=_("a note is required"))
    answer_fields = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("fields to answer"),
        help_text=_("One a line: label | text, number, date or file | required. "
                    "E.g. 认捐金额 | number | required"),
    )  # fmt: skip
    due_at = forms.DateTimeField(
        required=False, label=_("acknowledge by"), widget=DateTimeLocal(), input_formats=LOCAL_INPUT
    )
    ladder = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("chasing ladder"),
        help_text=_("One step a line: hours after sending: channels (app, email, robot, sms, "
                    "call). E.g. 6: robot, email"),
    )  # fmt: skip
    is_public = forms.BooleanField(required=False, label=_("published on a public page"))
    # Linked work
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False, label=_("donation campaign")
    )
    resumption_category = forms.ChoiceField(
        choices=[("", "—"), *Category.choices], required=False,
        label=_("work resumption category"),
    )  # fmt: skip
    resumption_batch = forms.IntegerField(
        min_value=1, max_value=99, required=False, label=_("work resumption batch")
    )
    reports_from = forms.DateField(
        required=False,
        label=_("daily reports from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Any, notice: Notice | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        orgs = organizations_for(user).order_by("path")
        self.fields["organization"].queryset = sending_organizations(user)  # type: ignore[attr-defined]
        self.fields["chambers"].queryset = orgs.exclude(kind=OrgKind.ENTERPRISE)  # type: ignore[attr-defined]
        self.fields["organizations"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = scoped(  # type: ignore[attr-defined]
            user, Campaign.objects.select_related("organization")
        )
        self.fields["people"].queryset = people_for(user).select_related("organization")  # type: ignore[attr-defined]
        if notice is not None:
            del self.fields["organization"]
            a = notice.audience or {}
            self.initial.update({
                name: getattr(notice, name) for name in (
                    "kind", "title", "doc_number", "body", "signature", "signed_on", "title_hant",
                    "body_hant", "title_en", "body_en", "channels", "ack_required",
                    "ack_note_required", "due_at", "is_public", "campaign", "resumption_category",
                    "resumption_batch", "reports_from",
                )
            })  # fmt: skip
            self.initial.update({k: a.get(k) for k in a})
            self.initial["answer_fields"] = fields_text(notice.fields)
            self.initial["ladder"] = ladder_text(notice.ladder)

    def clean_answer_fields(self) -> list[dict]:
        return _parse_fields(self.cleaned_data.get("answer_fields") or "")

    def clean_ladder(self) -> list[dict]:
        return _parse_ladder(self.cleaned_data.get("ladder") or "")

    def data_for_service(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("organization", None)
        d["fields"] = d.pop("answer_fields")
        campaign = d.pop("campaign")
        d["campaign_id"] = campaign.pk if campaign else None
        d["audience"] = {
            "all": d.pop("all"),
            "chambers": [o.pk for o in d.pop("chambers")],
            "industries": d.pop("industries"),
            "townships": [t.pk for t in d.pop("townships")],
            "executive": d.pop("executive"),
            "positions": d.pop("positions"),
            "party": d.pop("party"),
            "volunteers": d.pop("volunteers"),
            "organizations": [o.pk for o in d.pop("organizations")],
            "people": [p.pk for p in d.pop("people")],
        }
        return d


class SendForm(forms.Form):
    send_at = forms.DateTimeField(
        required=False, label=_("send at"), widget=DateTimeLocal(), input_formats=LOCAL_INPUT,
        help_text=_("Empty: send now."),
    )  # fmt: skip


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))


class SettingsForm(forms.Form):
    requires_approval = forms.BooleanField(
        required=False, label=_("a second person approves before sending")
    )
    webhook_url = forms.CharField(
        max_length=500, required=False, label=_("group robot address (WeCom or DingTalk)")
    )


class OnBehalfForm(forms.Form):
    note = forms.CharField(
        max_length=2000, label=_("note"), help_text=_("e.g. confirmed by telephone")
    )
