"""ID-porten for parents (namespace `idporten`, at /idporten/; intake.pages.idporten_views)."""

from django.urls import path

from intake.pages import idporten_views

urlpatterns = [
    path("", idporten_views.start, name="start"),
    path("callback/", idporten_views.callback, name="callback"),
    path("mine/", idporten_views.mine, name="mine"),
]
