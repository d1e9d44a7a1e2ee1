"""Forms only parse; choices come from the access path (passed in by the view)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.registry.models import Organization, Person, Place

from .models import (
    Division,
    HoursEntry,
    OperationKind,
    Resource,
    ResourceKind,
    SignUp,
    Task,
    Team,
    Volunteer,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["organization", "name", "place", "leader", "description", "signup_open"]

    def __init__(self, *args, organizations, places, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["place"].queryset = places
        self.fields["leader"].queryset = people


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("person"))
    skills = forms.CharField(label=_("skills"), max_length=200, required=False)
    availability = forms.CharField(label=_("availability"), max_length=200, required=False)
    pledged = forms.BooleanField(label=_("pledge signed"), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class SignUpForm(forms.ModelForm):
    class Meta:
        model = SignUp
        fields = ["name", "phone", "is_party_member", "skills", "availability", "pledged"]
        labels = {"pledged": _("I pledge to serve as assigned and to follow the duty rules.")}


class ShiftForm(forms.Form):
    post = forms.ModelChoiceField(queryset=Place.objects.none(), label=_("post"))
    starts_at = forms.DateTimeField(label=_("starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("ends"), widget=DATETIME)
    volunteers = forms.ModelMultipleChoiceField(
        queryset=Volunteer.objects.none(),
        label=_("volunteers"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, posts, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["volunteers"].queryset = volunteers  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(_("A shift must end after it starts."))
        return data


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "post", "due_at", "volunteer"]
        widgets = {"due_at": DATETIME}

    def __init__(self, *args, posts, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts
        self.fields["volunteer"].queryset = volunteers


class DoneForm(forms.Form):
    minutes = forms.IntegerField(label=_("minutes spent"), min_value=0, max_value=1440, initial=0)


class HoursForm(forms.ModelForm):
    class Meta:
        model = HoursEntry
        fields = ["day", "minutes", "note"]
        widgets = {"day": DATE}


class ReverseForm(forms.Form):
    note = forms.CharField(label=_("why"), max_length=200)


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
            "organization",
            "kind",
            "name",
            "identifier",
            "available_from",
            "available_until",
            "insurance",
            "insured_until",
            "note",
        ]
        widgets = {"available_from": DATE, "available_until": DATE, "insured_until": DATE}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class DeploymentForm(forms.Form):
    purpose = forms.CharField(label=_("purpose"), max_length=200)
    starts_on = forms.DateField(label=_("from"), widget=DATE)
    ends_on = forms.DateField(label=_("until"), widget=DATE, required=False)


class OperationForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("organization")
    )
    kind = forms.ChoiceField(label=_("kind"), choices=OperationKind.choices)
    where = forms.CharField(
        label=_("where"),
        max_length=100,
        help_text=_("The division's code (e.g. 371625) or its exact name."),
    )
    day = forms.DateField(label=_("day"), widget=DATE)
    area_mu = forms.DecimalField(
        label=_("area (亩)"), max_digits=12, decimal_places=2, min_value=0.01
    )
    agent = forms.CharField(label=_("agent"), max_length=100, required=False)
    drones = forms.ModelMultipleChoiceField(
        queryset=Resource.objects.none(),
        label=_("drones"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pilots = forms.ModelMultipleChoiceField(
        queryset=Resource.objects.none(),
        label=_("pilots"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organizations, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["drones"].queryset = resources.filter(kind=ResourceKind.DRONE)  # type: ignore[attr-defined]
        self.fields["pilots"].queryset = resources.filter(kind=ResourceKind.PILOT)  # type: ignore[attr-defined]

    def clean_where(self) -> Division:
        return find_division(self.cleaned_data["where"])


def find_division(text: str) -> Division:
    """A division by its code, or by its exact name when only one division has it."""
    text = text.strip()
    if text.isdigit():
        division = Division.objects.filter(code=text).first()
        if division is None:
            raise ValidationError(_("No division has this code."))
        return division
    found = list(Division.objects.filter(name=text)[:2])
    if not found:
        raise ValidationError(_("No division has this name."))
    if len(found) > 1:
        raise ValidationError(_("Several divisions have this name: enter the code."))
    return found[0]


class RouteForm(forms.Form):
    name = forms.CharField(label=_("route"), max_length=100)
    place = forms.ModelChoiceField(queryset=Place.objects.none(), label=_("compound or village"))
    checkpoints = forms.CharField(label=_("checkpoints"), max_length=500, required=False)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    started_at = forms.DateTimeField(label=_("started"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=pgettext_lazy("patrol", "ended"), widget=DATETIME)
    volunteers = forms.ModelMultipleChoiceField(
        queryset=Volunteer.objects.none(),
        label=_("volunteers"),
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    issues = forms.CharField(
        label=_("issues found (one a line)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = volunteers  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if (
            data.get("started_at")
            and data.get("ended_at")
            and data["ended_at"] <= data["started_at"]
        ):
            raise ValidationError(_("A round must end after it starts."))
        return data
