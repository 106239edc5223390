from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="overview"),
    path("<slug:slug>/", views.report_page, name="page"),
]
