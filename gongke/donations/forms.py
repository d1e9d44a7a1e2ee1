from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.accounts.access import reference_organizations, writable_organizations
from gongke.lib.amounts import AmountError, parse_amount
from gongke.registry.models import Organization, OrgKind, Place

from .access import donor_enterprises
from .importer import amount_message
from .models import Campaign, DonorKind, Nature
from .services import recipients_for


def collecting_organizations(user):
    """Where a user may book gifts: the bodies they write for (their enterprise, for a reporter)."""
    orgs = writable_organizations(user, manage=True)
    bodies = orgs.exclude(kind=OrgKind.ENTERPRISE)
    return bodies if bodies.exists() else orgs


class AmountField(forms.CharField):
    """Takes an amount as people write it; cleans to (Decimal, approximation flag)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 50)
        kwargs.setdefault("help_text", _("As written: 1,200.50 · 64.8万 · 近10万 · 壹拾万元整"))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text and not self.required:
            return None
        try:
            amount = parse_amount(text)
        except AmountError as exc:
            raise forms.ValidationError(amount_message(exc))
        return (amount.value, amount.approximation, text)


class GiftForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("Collected by"))
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Campaign"), required=False)
    donor_kind = forms.ChoiceField(choices=DonorKind.choices, label=_("Donor kind"))
    donor_name = forms.CharField(
        label=_("Donor"),
        max_length=200,
        required=False,
        help_text=_("For a member enterprise: its name or credit code as registered."),
    )
    is_anonymous = forms.BooleanField(label=_("Anonymous on the honor list"), required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        help_text=_("Kept private: never shown on a public page."),
    )
    nature = forms.ChoiceField(choices=Nature.choices, label=_("Money or goods"))
    amount = AmountField(label=_("Amount or estimated value (yuan)"))
    item = forms.CharField(label=_("Item"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    unit = forms.CharField(
        label=pgettext_lazy("measure", "Unit"),
        max_length=20,
        required=False,
        help_text=_("套, 只, 箱, 公斤, 台"),
    )
    given_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received = forms.BooleanField(label=_("Already received"), required=False, initial=True)
    issue_receipt = forms.BooleanField(label=_("Issue a receipt"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = collecting_organizations(user)
        self.fields["campaign"].queryset = Campaign.objects.filter(
            organization__in=reference_organizations(user)
        ).select_related("organization")
        self.fields["given_on"].initial = timezone.localdate()
        # Picked from the register as it is typed (pinyin initials too): htmx asks
        # donations:donor-suggestions and fills the datalist the template puts under the form.
        self.fields["donor_name"].widget.attrs.update(
            {
                "list": "donor-suggestions",
                "autocomplete": "off",
                "hx-get": reverse("donations:donor-suggestions"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#donor-suggestions",
                "hx-sync": "this:replace",
            }
        )

    def clean(self):
        data = super().clean()
        kind = data.get("donor_kind")
        name = (data.get("donor_name") or "").strip()
        data["enterprise"] = None
        if kind == DonorKind.ENTERPRISE:
            enterprise = (
                donor_enterprises(self.user)
                .filter(Q(name=name) | Q(credit_code=name.upper()))
                .first()
            )
            if enterprise is None:
                self.add_error(
                    "donor_name", _("No member enterprise has this name or credit code.")
                )
            data["enterprise"] = enterprise
        elif kind != DonorKind.ANONYMOUS and not name:
            self.add_error("donor_name", _("Give the donor's name, or choose anonymous."))
        if data.get("nature") == Nature.GOODS and not (data.get("item") or "").strip():
            self.add_error("item", _("Say what goods were given."))
        if data.get("given_on") and data["given_on"] > timezone.localdate():
            self.add_error("given_on", _("The date is in the future."))
        return data


class ReceiveForm(forms.Form):
    amount = AmountField(label=_("Amount received (yuan)"))
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=2, required=False
    )
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    issue_receipt = forms.BooleanField(label=_("Issue a receipt"), required=False, initial=True)


class ForwardForm(forms.Form):
    from_organization = forms.ModelChoiceField(Organization.objects.none(), label=_("From"))
    to_organization = forms.ModelChoiceField(Organization.objects.none(), label=_("Forwarded to"))
    amount = AmountField(label=_("Value (yuan)"))
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=2, required=False
    )
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, holders, **kwargs):
        super().__init__(*args, **kwargs)
        writable = writable_organizations(user, manage=True)
        self.fields["from_organization"].queryset = writable.filter(pk__in=[o.pk for o in holders])
        self.fields["to_organization"].queryset = reference_organizations(user).exclude(
            kind=OrgKind.ENTERPRISE
        )


class AllocateForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("From"))
    recipient = forms.ModelChoiceField(Place.objects.none(), label=_("Recipient unit"))
    amount = AmountField(label=_("Value (yuan)"))
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=2, required=False
    )
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = writable_organizations(user, manage=True).filter(
            pk__in=[o.pk for o in holders]
        )
        self.fields["recipient"].queryset = recipients_for(user)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    # The day the correction belongs to (its period's figures change); empty: today.
    occurred_on = forms.DateField(
        label=_("Correction dated"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CampaignForm(forms.ModelForm):
    initiative_url = forms.URLField(
        label=_("initiative letter (link)"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Campaign
        fields = [
            "organization",
            "name",
            "starts_on",
            "ends_on",
            "initiative_url",
            "description",
            "is_public",
        ]
        labels = {"organization": _("Organizer")}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = writable_organizations(user, manage=True).exclude(
            kind=OrgKind.ENTERPRISE
        )


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("Collected by"))
    file = forms.FileField(label=_("Excel or CSV file"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = collecting_organizations(user)
