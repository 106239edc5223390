"""URL patterns of this provider package (filled in by its issue)."""

urlpatterns: list = []
