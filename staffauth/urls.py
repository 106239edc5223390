from django.urls import path

from . import views

app_name = "staffauth"
urlpatterns = [
    path("two-factor/", views.enrol, name="enrol"),
]
