"""The serializers and views every variant serves: bookings (list, detail, create) and
their notes (list). Only what a library needs differs: where the rows come from
(``rows``), what a new booking is saved with (``save_kwargs``) and the library's own
view base (``view_bases``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.urls import include, path
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

Rows = Callable[[viewsets.GenericViewSet, type[models.Model]], models.QuerySet]


def serializer_classes(booking: type[models.Model], note: type[models.Model]) -> tuple[type, type]:
    class BookingSerializer(serializers.ModelSerializer):
        class Meta:
            model = booking
            fields = ["id", "service", "client", "starts_at", "status"]

    class NoteSerializer(serializers.ModelSerializer):
        class Meta:
            model = note
            fields = ["id", "booking", "body"]

    return BookingSerializer, NoteSerializer


def urlpatterns_for(
    booking: type[models.Model],
    note: type[models.Model],
    *,
    rows: Rows | None = None,
    save_kwargs: Callable[[Any], dict[str, Any]] | None = None,
    view_bases: tuple[type, ...] = (),
    view_attrs: dict[str, Any] | None = None,
) -> list:
    """The URL patterns of the workload: ``/api/bookings/`` and ``/api/notes/``.

    ``rows`` is None for a base that owns ``get_queryset`` itself (the tenancy core's,
    which refuses a subclass overriding it); it then reads the class's ``queryset``.
    """
    booking_serializer, note_serializer = serializer_classes(booking, note)

    def view_class(name: str, model: type[models.Model], serializer: type, actions: tuple[type, ...]) -> type:
        attrs: dict[str, Any] = {"serializer_class": serializer, **(view_attrs or {})}
        if rows is None:
            attrs["queryset"] = model.objects.order_by("id")
        else:

            def get_queryset(self) -> models.QuerySet:
                return rows(self, model).order_by("id")

            attrs["get_queryset"] = get_queryset
            attrs["queryset"] = None
        if save_kwargs is not None:

            def perform_create(self, serializer) -> None:
                serializer.save(**save_kwargs(self.request))

            attrs["perform_create"] = perform_create
        return type(name, (*view_bases, *actions, viewsets.GenericViewSet), attrs)

    bookings = view_class(
        "BookingViewSet",
        booking,
        booking_serializer,
        (mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin),
    )
    notes = view_class("NoteViewSet", note, note_serializer, (mixins.ListModelMixin,))
    router = SimpleRouter()
    router.register("bookings", bookings, basename="booking")
    router.register("notes", notes, basename="note")
    return [path("api/", include(router.urls))]
