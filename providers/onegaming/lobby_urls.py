"""1G lobby routes (igPokerValidation)."""

from django.urls import path

from .validation import IgPokerValidationView

urlpatterns: list = [
    path("igPokerValidation", IgPokerValidationView.as_view(), name="onegaming-ig-poker-validation"),
]
