"""Player-page forms: how the player wants games to open."""

from __future__ import annotations

from django import forms

from .models import LaunchMethod

DEVICE_CHOICES = [("auto", "Auto"), ("desktop", "Desktop"), ("mobile", "Mobile")]
METHOD_CHOICES = [("", "As the provider prefers"), *LaunchMethod.choices]


class PreferencesForm(forms.Form):
    device = forms.ChoiceField(choices=DEVICE_CHOICES, required=False)
    method = forms.ChoiceField(choices=METHOD_CHOICES, required=False, label="Open games")
    currency = forms.CharField(max_length=8, required=False)


class LaunchForm(forms.Form):
    game = forms.CharField(max_length=64, required=False)
