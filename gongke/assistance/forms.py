"""Forms only parse: the services decide and refuse (gongke/assistance/services.py)."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import OfferKind


class Choosing(forms.Form):
    """A form whose pick lists (suppliers, compounds...) the view fills from the access path:
    a value outside them is refused like any invalid choice."""

    def __init__(self, *args: Any, choices: dict[str, Iterable[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, objects in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "---------")] + [(o.pk, str(o)) for o in objects]


class PackageForm(Choosing):
    supplier = forms.TypedChoiceField(coerce=int, label=_("supplier"))
    name = forms.CharField(label=pgettext_lazy("package", "name"), max_length=100)
    contents = forms.CharField(label=_("contents"), max_length=2000, widget=forms.Textarea)
    price = forms.CharField(label=_("price (yuan)"), max_length=20)
    photo = forms.FileField(label=_("photo"), required=False)
    is_active = forms.BooleanField(label=_("on offer"), required=False, initial=True)


class CapForm(Choosing):
    organization = forms.TypedChoiceField(coerce=int, label=_("organization"))
    amount = forms.CharField(label=_("price cap (yuan)"), max_length=20)


class WindowForm(Choosing):
    compound = forms.TypedChoiceField(coerce=int, label=_("compound or village"))
    package = forms.TypedChoiceField(coerce=int, label=_("package"))
    day = forms.DateField(label=_("delivery day"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_at = forms.DateTimeField(
        label=_("cut-off time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity = forms.IntegerField(label=_("daily capacity"), min_value=1, max_value=100_000)
    max_per_order = forms.IntegerField(
        label=_("at most per order"), min_value=1, max_value=100, initial=5
    )


class OfferForm(Choosing):
    provider = forms.TypedChoiceField(coerce=int, label=_("provider"))
    kind = forms.ChoiceField(label=_("kind"), choices=OfferKind.choices)
    title = forms.CharField(label=pgettext_lazy("service", "title"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=2000, required=False, widget=forms.Textarea
    )


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    seats = forms.IntegerField(label=_("seats"), min_value=1, max_value=10_000)
    place = forms.CharField(label=_("where"), max_length=200, required=False)
