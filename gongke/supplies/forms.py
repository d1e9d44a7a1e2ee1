"""Forms parse; the services decide. Every choice list comes from the access helpers."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.accounts.access import WRITERS, reference_organizations, writable_organizations
from gongke.registry.models import Organization

from .access import items_for, recipients_for, warehouses_for
from .models import Category, Item, OrderKind, Source, Urgency


def writing_organizations(user):
    return writable_organizations(user, roles=WRITERS["supplies"])


def writing_warehouses(user):
    return warehouses_for(user).filter(organization__in=writing_organizations(user), is_active=True)


class ItemForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("Catalog of"))
    name = forms.CharField(label=_("name"), max_length=100)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    base_unit = forms.CharField(
        label=_("base unit"),
        max_length=10,
        help_text=_("The smallest unit counted: 只, 套, 副, 毫升."),
    )
    standard = forms.CharField(label=_("standard"), max_length=100, required=False)
    shelf_life_days = forms.IntegerField(
        label=_("shelf life (days)"), required=False, min_value=1, max_value=100000
    )
    daily_use = forms.DecimalField(
        label=_("daily use per person"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_("In base units, for days of cover; 0 leaves the item out."),
    )
    packs = forms.CharField(
        label=_("packs"),
        required=False,
        max_length=500,
        help_text=_("One a line: 箱=1000, 盒=50 (base units in each)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = writing_organizations(user).bodies()

    def clean_packs(self):
        packs = []
        for line in (
            (self.cleaned_data.get("packs") or "")
            .replace(",", "\n")
            .replace("，", "\n")
            .splitlines()
        ):
            if not line.strip():
                continue
            name, sep, number = line.partition("=")
            if not sep or not number.strip().isdigit():
                raise forms.ValidationError(_("Write each pack as name=number, e.g. 箱=1000."))
            packs.append((name.strip(), int(number.strip())))
        return packs


class QuantityField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("quantity"))
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(**kwargs)


class ReceiveForm(forms.Form):
    warehouse = forms.ModelChoiceField(Organization.objects.none(), label=_("warehouse"))
    item = forms.ModelChoiceField(Item.objects.none(), label=_("item"))
    quantity = QuantityField()
    unit = forms.CharField(
        label=pgettext_lazy("measure", "unit"),
        required=False,
        max_length=10,
        help_text=_("A pack of the item (箱, 盒) or empty for the base unit."),
    )
    source = forms.ChoiceField(label=_("source"), choices=Source.choices)
    owner = forms.ModelChoiceField(
        Organization.objects.none(),
        label=_("owner"),
        required=False,
        help_text=_(
            "Empty: the warehouse's organization. Goods held on behalf of another organization name it here."
        ),
    )
    supplier = forms.CharField(label=_("supplier or donor"), max_length=200, required=False)
    batch = forms.CharField(label=_("batch"), max_length=50, required=False)
    expires_on = forms.DateField(
        label=_("expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label=_("received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = writing_warehouses(user)
        self.fields["item"].queryset = items_for(user).filter(is_active=True)
        self.fields["owner"].queryset = reference_organizations(user)
        self.fields["source"].choices = [c for c in Source.choices if c[0] != Source.GIFT]


class IssueForm(forms.Form):
    warehouse = forms.ModelChoiceField(Organization.objects.none(), label=_("warehouse"))
    item = forms.ModelChoiceField(Item.objects.none(), label=_("item"))
    quantity = QuantityField()
    unit = forms.CharField(label=pgettext_lazy("measure", "unit"), required=False, max_length=10)
    recipient = forms.ModelChoiceField(
        Organization.objects.none(), label=_("recipient unit"), required=False
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        required=False,
        help_text=_("For goods used without a recipient unit."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = writing_warehouses(user)
        self.fields["item"].queryset = items_for(user).filter(is_active=True)
        self.fields["recipient"].queryset = recipients_for(user)


class TransferForm(forms.Form):
    source = forms.ModelChoiceField(Organization.objects.none(), label=_("from"))
    destination = forms.ModelChoiceField(Organization.objects.none(), label=_("to"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=10**12)

    def __init__(self, *args, user, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = writing_warehouses(user).filter(
            stocks__lot=lot, stocks__quantity__gt=0
        )
        self.fields["destination"].queryset = writing_warehouses(user)


class AdjustForm(forms.Form):
    warehouse = forms.ModelChoiceField(Organization.objects.none(), label=_("warehouse"))
    counted = forms.IntegerField(label=_("counted"), min_value=0, max_value=10**12)
    reason = forms.CharField(label=_("reason"), max_length=500)

    def __init__(self, *args, user, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = (
            writing_warehouses(user).filter(stocks__lot=lot).distinct()
        )


class ReturnForm(forms.Form):
    warehouse = forms.ModelChoiceField(Organization.objects.none(), label=_("warehouse"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=10**12)
    recipient = forms.ModelChoiceField(
        Organization.objects.none(), label=_("returned by"), required=False
    )
    reason = forms.CharField(label=_("reason"), max_length=500)

    def __init__(self, *args, user, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = writing_warehouses(user)
        self.fields["recipient"].queryset = recipients_for(user)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class NeedForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("kept by"))
    recipient = forms.ModelChoiceField(Organization.objects.none(), label=_("recipient unit"))
    urgency = forms.TypedChoiceField(
        label=_("urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL
    )
    lines = forms.CharField(
        label=_("goods needed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: item name and quantity in base units, e.g. N95口罩 2000."),
    )
    contact_name = forms.CharField(label=_("contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)
    source = forms.CharField(
        label=_("source"),
        max_length=200,
        required=False,
        help_text=_("How the need reached you: a letter, a call, a visit."),
    )
    ttl_days = forms.IntegerField(label=_("valid for (days)"), min_value=1, max_value=60, initial=3)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = writing_organizations(user)
        self.fields["recipient"].queryset = recipients_for(user)

    def clean_lines(self):
        return item_lines(self.user, self.cleaned_data["lines"])


class OfferForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("offered by"))
    item = forms.ModelChoiceField(Item.objects.none(), label=_("item"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=10**12)
    available_until = forms.DateField(
        label=_("available until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("goods expire on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = writing_organizations(user)
        self.fields["item"].queryset = items_for(user).filter(is_active=True)


class ReceiptForm(forms.Form):
    received_by = forms.CharField(label=_("received by"), max_length=50)
    remark = forms.CharField(label=_("shortfall or damage"), max_length=500, required=False)


class ShipmentForm(forms.Form):
    warehouse = forms.ModelChoiceField(Organization.objects.none(), label=_("warehouse"))
    recipient = forms.ModelChoiceField(Organization.objects.none(), label=_("recipient unit"))
    lines = forms.CharField(
        label=_("goods"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: item name and quantity in base units, e.g. N95口罩 2000."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["warehouse"].queryset = writing_warehouses(user)
        self.fields["recipient"].queryset = recipients_for(user)

    def clean_lines(self):
        return item_lines(self.user, self.cleaned_data["lines"])


def item_lines(user, text):
    """ "N95口罩 2000" per line -> [(item, 2000)], items from the user's catalog."""
    items = {i.name: i for i in items_for(user).filter(is_active=True)}
    lines = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        name, _sep, number = raw.strip().rpartition(" ")
        item = items.get(name.strip())
        if item is None or not number.isdigit() or not 0 < int(number) <= 10**12:
            raise forms.ValidationError(
                _("Line “%(line)s”: write an item of the catalog and a whole number.")
                % {"line": raw.strip()[:60]}
            )
        lines.append((item, int(number)))
    if not lines:
        raise forms.ValidationError(_("Name at least one item."))
    return lines


class GiftStockForm(forms.Form):
    """A goods gift of the donations ledger taken into stock."""

    warehouse = forms.ModelChoiceField(Organization.objects.none(), label=_("warehouse"))
    item = forms.ModelChoiceField(Item.objects.none(), label=_("item"))
    quantity = QuantityField()
    unit = forms.CharField(label=pgettext_lazy("measure", "unit"), required=False, max_length=10)
    batch = forms.CharField(label=_("batch"), max_length=50, required=False)
    expires_on = forms.DateField(
        label=_("expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = writing_warehouses(user)
        self.fields["item"].queryset = items_for(user).filter(is_active=True)


class OrderForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("organization"))
    kind = forms.ChoiceField(label=_("kind"), choices=OrderKind.choices)
    supplier = forms.CharField(label=_("supplier"), max_length=200)
    country = forms.CharField(label=_("country"), max_length=50, required=False)
    currency = forms.CharField(label=_("currency"), max_length=3, initial="CNY")
    rate = forms.DecimalField(
        label=_("yuan per unit of currency"),
        max_digits=12,
        decimal_places=6,
        initial=1,
        min_value=0,
    )
    ordered_on = forms.DateField(
        label=_("ordered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    customs_on = forms.DateField(
        label=_("customs cleared on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    arrival_on = forms.DateField(
        label=_("expected arrival"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    lines = forms.CharField(
        label=_("goods ordered"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One a line: item, quantity in base units, unit price in the currency, e.g. N95口罩 2400 1.5."
        ),
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ordered_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = writing_organizations(user)

    def clean_lines(self):
        from decimal import Decimal, InvalidOperation

        items = {i.name: i for i in items_for(self.user).filter(is_active=True)}
        lines = []
        for raw in self.cleaned_data["lines"].splitlines():
            parts = raw.split()
            if not parts:
                continue
            try:
                name, number, price = " ".join(parts[:-2]), parts[-2], Decimal(parts[-1])
            except (IndexError, InvalidOperation):
                name, number, price = "", "", Decimal(0)
            item = items.get(name)
            if (
                item is None
                or not number.isdigit()
                or not 0 < int(number) <= 10**12
                or not price.is_finite()
                or price < 0
            ):
                raise forms.ValidationError(
                    _("Line “%(line)s”: write an item of the catalog, a whole number and a price.")
                    % {"line": raw.strip()[:60]}
                )
            lines.append((item, int(number), price))
        if not lines:
            raise forms.ValidationError(_("Name at least one item."))
        return lines


class OrderReceiveForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    warehouse = forms.ModelChoiceField(Organization.objects.none(), label=_("warehouse"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=10**12)
    batch = forms.CharField(label=_("batch"), max_length=50, required=False)
    expires_on = forms.DateField(
        label=_("expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = writing_warehouses(user)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("what the file holds"),
        choices=[("stocktake", _("A stocktake: counted quantities")), ("needs", _("A needs list"))],
    )
    organization = forms.ModelChoiceField(
        Organization.objects.none(),
        label=_("needs kept by"),
        required=False,
        help_text=_("For a needs list only."),
    )
    file = forms.FileField(label=_("Excel or CSV file"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = writing_organizations(user)

    def clean(self):
        data = super().clean()
        if data.get("kind") == "needs" and not data.get("organization"):
            self.add_error("organization", _("Choose who keeps the needs."))
        return data
