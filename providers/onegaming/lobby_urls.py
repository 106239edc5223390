"""1G lobby routes (igPokerValidation)."""

urlpatterns: list = []
