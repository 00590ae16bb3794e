"""A URLconf with views that hold a business's request for a while, used by
tests/test_governance.py: sleeping, failing, a slow SQL statement, a slow stream."""

from __future__ import annotations

import time

from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import include, path
from rest_framework.response import Response

from core.tenancy import PublicTenantAPIView

CHUNK = b"x" * 65536


class SleepingView(PublicTenantAPIView):
    def get(self, request):
        time.sleep(float(request.GET.get("seconds", "1")))
        return Response({"slept": True})


class FailingView(PublicTenantAPIView):
    def get(self, request):
        raise RuntimeError("the view failed")


class SlowStatementView(PublicTenantAPIView):
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [float(request.GET.get("seconds", "1"))])
        return Response({"slept": True})


class SlowStreamView(PublicTenantAPIView):
    def get(self, request):
        def chunks():
            for _ in range(400):  # 25 MiB over 20 s: far more than a socket buffers
                time.sleep(0.05)
                yield CHUNK

        return StreamingHttpResponse(chunks(), content_type="application/octet-stream")


urlpatterns = [
    path("", include("config.urls")),
    path("governed/sleep/", SleepingView.as_view()),
    path("governed/fail/", FailingView.as_view()),
    path("governed/statement/", SlowStatementView.as_view()),
    path("governed/stream/", SlowStreamView.as_view()),
]
