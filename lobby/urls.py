"""Player pages (filled in by the lobby issue)."""

app_name = "lobby"
urlpatterns: list = []
