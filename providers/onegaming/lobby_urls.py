"""1G lobby routes (igPokerValidation)."""

from django.urls import path

from .validation import ig_poker_validation

urlpatterns: list = [
    path("igPokerValidation", ig_poker_validation, name="onegaming-ig-poker-validation"),
]
