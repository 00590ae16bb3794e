"""Page-number pagination whose cost does not grow with the business's size.

``count`` is exact up to ``count_limit`` rows and says so; past it the count stops
(``count_is_exact: false``), so a list costs the same for a business with a million
bookings as for one with a hundred. Whether there is a next page is known from one
row fetched past the page, not from the count.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Deep offsets cost a scan of every row before them; past this a client should filter.
MAX_OFFSET = 1_000_000


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
    count_limit = 1000

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list | None:
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.number = self._page_number(request, page_size)
        offset = (self.number - 1) * page_size
        rows = list(queryset[offset : offset + page_size + 1])
        if self.number > 1 and not rows:
            raise NotFound(self.invalid_page_message.format(page_number=self.number, message="That page is empty."))
        self.has_next = len(rows) > page_size
        counted = queryset.order_by()[: self.count_limit + 1].count()
        self.count_is_exact = counted <= self.count_limit
        self.count = min(counted, self.count_limit)
        return rows[:page_size]

    def _page_number(self, request: Request, page_size: int) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1 or (number - 1) * page_size > MAX_OFFSET:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="That page does not exist."))
        return number

    def get_paginated_response(self, data: list) -> Response:
        return Response(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["count", "count_is_exact", "results"]
        properties = paginated["properties"]
        properties["count"]["description"] = f"Rows in the list, counted up to {self.count_limit}."
        properties["count_is_exact"] = {
            "type": "boolean",
            "description": f"False when the list has more than {self.count_limit} rows and counting stopped.",
        }
        order = ["count", "count_is_exact", "next", "previous", "results"]
        return {**paginated, "properties": {key: properties[key] for key in order}}
