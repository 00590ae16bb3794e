from django_scopes import scope

from bench.peers.api import urlpatterns_for
from bench.peers.resolve import BusinessMiddleware

from .models import Booking, Note


class ScopesMiddleware(BusinessMiddleware):
    """The view runs in ``scope(business=...)``, as pretix enters its organizer's scope."""

    business_model = "peers_scopes.Business"

    def in_scope(self, request):
        with scope(business=request.business):
            return self.get_response(request)


urlpatterns = urlpatterns_for(
    Booking,
    Note,
    rows=lambda view, model: model.objects.all(),
    save_kwargs=lambda request: {"tenant": request.business},
)
