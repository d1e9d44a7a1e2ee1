from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.registry.models import Organization

from .models import Application, DailyReport, ReportingSettings, Slot, parse_percentages
from .services import APPLICATION_FIELDS


class DateInput(forms.DateInput):
    """The browser's date picker only takes ISO dates (zh-Hans would render Y/m/d)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 (Django's own name)
        super().__init__(attrs, format)


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = APPLICATION_FIELDS
        widgets = {"planned_date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}


class ReportForm(forms.ModelForm):
    class Meta:
        model = DailyReport
        fields = [
            "staff_on_site",
            "staff_returned",
            "staff_isolated",
            "vehicles",
            "fevers",
            "masks",
            "disinfectant_litres",
            "note",
        ]


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))


class SettingsForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=_("group robot webhook"),
        required=False,
        assume_scheme="https",
        help_text=_("WeCom or DingTalk group robot address; leave empty for none."),
    )

    class Meta:
        model = ReportingSettings
        fields = ["deadline", "period_start", "period_end", "webhook_url", "email_reminders"]
        widgets = {
            "deadline": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "period_start": DateInput(),
            "period_end": DateInput(),
        }


class TemperatureForm(forms.Form):
    person_name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=50)
    day = forms.DateField(label=_("day"), widget=DateInput())
    slot = forms.ChoiceField(label=_("time of day"), choices=Slot.choices)
    temperature = forms.DecimalField(
        label=_("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        min_value=Decimal("34.0"),
        max_value=Decimal("43.0"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("spreadsheet (姓名, 日期, 时段, 体温)"))

    def __init__(self, *args: Any, headers: list[str] | None = None, **kwargs: Any) -> None:
        """With the headers of a file whose columns were not all recognised: a choice of the
        file's header for each column (the user maps them and sends the file again)."""
        super().__init__(*args, **kwargs)
        self.mapping_fields = []
        if headers:
            choices = [("", "—"), *[(h, h) for h in headers if h]]
            for column, label in IMPORT_LABELS.items():
                name = f"map_{column}"
                self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
                self.mapping_fields.append(name)

    def mapping(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {c: data[f"map_{c}"] for c in IMPORT_LABELS if data.get(f"map_{c}")}


IMPORT_LABELS = {
    "name": pgettext_lazy("person", "name"),
    "day": _("day"),
    "slot": _("time of day"),
    "temperature": _("temperature (°C)"),
}


class StaffForm(forms.Form):
    names = forms.CharField(
        label=_("names, one a line"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("follow-up"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class PercentagesField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return []
        return parse_percentages(value)


class ProgrammeForm(forms.Form):
    landlord = forms.ModelChoiceField(label=_("landlord"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("name"), max_length=200)
    rent_percentages = PercentagesField(
        label=_("rent waived by month (%)"),
        help_text=_("One percentage per month, e.g. 100, 50: first month free, second at half."),
    )
    fee_percentages = PercentagesField(label=_("property fees waived by month (%)"), required=False)
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput())

    def __init__(self, *args, landlords, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["landlord"].queryset = landlords  # type: ignore[attr-defined]

    def clean_rent_percentages(self):
        value = self.cleaned_data["rent_percentages"]
        if not value:
            raise ValidationError(_("This field is required."))
        return value


class LeaseForm(forms.Form):
    tenant_name = forms.CharField(label=_("tenant"), max_length=200)
    premises = forms.CharField(label=_("premises"), max_length=200, required=False)
    monthly_rent = forms.DecimalField(
        label=_("monthly rent (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )
    monthly_fee = forms.DecimalField(
        label=_("monthly property fee (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        initial=0,
    )
    starts_on = forms.DateField(label=_("lease start"), widget=DateInput())
    ends_on = forms.DateField(label=_("lease end"), widget=DateInput(), required=False)
