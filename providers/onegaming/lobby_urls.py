"""1G lobby routes (igPokerValidation, path dialect.VALIDATION_PATH)."""

from django.urls import path

from .dialect import VALIDATION_PATH
from .validation import IgPokerValidationView

urlpatterns: list = [
    path(VALIDATION_PATH, IgPokerValidationView.as_view(), name="onegaming-ig-poker-validation"),
]
