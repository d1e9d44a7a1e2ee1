from django import forms
from django.utils.translation import gettext_lazy as _


class PublicationForm(forms.Form):
    is_open = forms.BooleanField(
        label=_("Publish open data"),
        required=False,
        help_text=_(
            "Aggregate figures per organization, township and day, downloadable by anyone "
            "without signing in. Never names, ID or phone numbers; counts of people under 5 "
            "are withheld."
        ),
    )
    county_code = forms.CharField(
        label=_("County code (GB/T 2260)"),
        max_length=6,
        required=False,
        help_text=_("The six-digit code of the county served, e.g. 360803: every row carries it."),
    )
