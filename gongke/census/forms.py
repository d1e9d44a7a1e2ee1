"""Forms of the census pages: short, phone-friendly (numeric keyboards where a number is typed)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import DEFAULT_ISOLATION_DAYS, Gender, IsolationReason, Relation, VisitOutcome


class HouseholdForm(forms.Form):
    building = forms.CharField(label=_("Building"), max_length=20, required=False)
    unit = forms.CharField(label=pgettext_lazy("building", "Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResidentForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Checked, then kept only in a form that can be matched, never read back."),
    )
    relation = forms.ChoiceField(
        label=_("Relation to the householder"),
        choices=[("", "—"), *Relation.choices],
        required=False,
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1890,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResidentEditForm(ResidentForm):
    moved_out_on = forms.DateField(
        label=_("Moved out on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReturnForm(forms.Form):
    from_place = forms.CharField(label=_("Came back from"), max_length=100)
    returned_on = forms.DateField(
        label=_("Returned on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    transport = forms.CharField(label=_("Transport"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), required=False)
    isolate = forms.BooleanField(
        label=_("Start home isolation from the return date"), required=False, initial=True
    )


class IsolationForm(forms.Form):
    start = forms.DateField(
        label=_("First day"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    days = forms.IntegerField(
        label=_("Days"),
        initial=DEFAULT_ISOLATION_DAYS,
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=IsolationReason.choices)
    note = forms.CharField(label=_("Note"), required=False)


class CheckForm(forms.Form):
    temperature = forms.CharField(
        label=_("Temperature (°C)"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "placeholder": "36.5", "autocomplete": "off", "size": 5}
        ),
    )
    symptoms = forms.CharField(label=_("Symptoms"), max_length=200, required=False)
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class EndIsolationForm(forms.Form):
    note = forms.CharField(label=_("Why it ended"), max_length=200, required=False)


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VisitOutcome.choices)
    note = forms.CharField(label=_("Note"), required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the ID number?"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))
