from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import DutySettings


class DutySettingsForm(forms.ModelForm):
    fever_webhook_url = forms.URLField(
        label=capfirst(_("group robot webhook for fever alerts")),
        required=False,
        assume_scheme="https",
        help_text=_("WeCom or DingTalk group robot address; leave empty for none."),
    )

    class Meta:
        model = DutySettings
        fields = ["fever_webhook_url", "fever_email"]
