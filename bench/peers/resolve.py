"""Naming the business of a request, for the designs whose library leaves it to the
application (none, django-scopes, django-multitenant, django-rls-tenants): the
``X-Tenant-Slug`` header, one indexed lookup per request."""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.http import HttpRequest, HttpResponse, JsonResponse

HEADER = "X-Tenant-Slug"


def business_named_by(request: HttpRequest, label: str):
    """The business the request names, or None."""
    slug = request.headers.get(HEADER, "")
    return apps.get_model(label).objects.filter(slug=slug).first() if slug else None


class BusinessMiddleware:
    """Sets ``request.business`` from the header, or answers 404; a subclass runs the
    view inside its library's scope (``in_scope``)."""

    business_model = ""  # app_label.Model, set by the variant

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.business = business_named_by(request, self.business_model)
        if request.business is None:
            return JsonResponse({"detail": "Unknown business."}, status=404)
        return self.in_scope(request)

    def in_scope(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
