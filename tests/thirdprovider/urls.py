from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^(?P<action>bet|result|rollback)$", views.money_call, name="thirdwave-call"),
]
