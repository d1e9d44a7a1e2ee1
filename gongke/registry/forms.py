from django import forms
from django.utils.translation import gettext_lazy as _

from gongke.accounts.access import is_platform_admin, writable_organizations
from gongke.lib.idnumbers import clean_credit_code, clean_id_number

from .models import Organization, OrgKind, Person, Place, PlaceKind


class ScopedForm(forms.ModelForm):
    """Choices of organizations are only those the user may manage."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        orgs = writable_organizations(user, manage=True)
        for name in ("parent", "organization"):
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Organization:
                field.queryset = orgs.exclude(kind=OrgKind.ENTERPRISE) if name == "parent" else orgs


class OrganizationForm(ScopedForm):
    class Meta:
        model = Organization
        fields = [
            "kind",
            "chamber_kind",
            "parent",
            "name",
            "short_name",
            "credit_code",
            "industry",
            "township",
            "legal_representative",
            "legal_representative_phone",
            "is_executive",
            "staff_count",
            "address",
            "contact_name",
            "contact_phone",
            "note",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a platform admin starts a new tree (the first federation of an empty install).
        self.fields["parent"].required = (
            self.instance.parent_id is not None
            if self.instance.pk
            else not is_platform_admin(self.user)
        )
        if self.instance.pk:
            self.fields["kind"].disabled = True
            # The current parent stays a valid choice: an admin may edit the top of their subtree.
            parent = self.fields["parent"]
            parent.queryset = parent.queryset | Organization.objects.filter(
                pk=self.instance.parent_id
            )

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"].strip().upper()
        return clean_credit_code(value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("kind") != OrgKind.CHAMBER:
            data["chamber_kind"] = ""
        elif not data.get("chamber_kind"):
            self.add_error("chamber_kind", _("Choose the kind of chamber."))
        parent = data.get("parent")
        if self.instance.pk and parent and parent.path.startswith(self.instance.path):
            self.add_error("parent", _("An organization cannot be moved under itself."))
        return data


class PersonForm(ScopedForm):
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=18,
        help_text=_("Stored only in a form that can be matched, never read back."),
    )

    class Meta:
        model = Person
        fields = [
            "organization",
            "name",
            "position",
            "title",
            "phone",
            "id_number",
            "is_party_member",
            "is_volunteer",
            "note",
        ]

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        return clean_id_number(value) if value else ""


class PlaceForm(ScopedForm):
    class Meta:
        model = Place
        fields = [
            "kind",
            "recipient_kind",
            "name",
            "organization",
            "parent",
            "township",
            "address",
            "without_property_management",
            "households",
            "contact_name",
            "contact_phone",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gongke.accounts.access import scoped

        self.fields["parent"].queryset = scoped(self.user, Place.objects.areas())

    def clean(self):
        data = super().clean()
        if data.get("kind") != PlaceKind.RECIPIENT:
            data["recipient_kind"] = ""
        if data.get("kind") == PlaceKind.POST and not data.get("parent"):
            self.add_error("parent", _("A duty post belongs to a compound or village."))
        return data
