from django_multitenant.utils import set_current_tenant, unset_current_tenant

from bench.peers.api import urlpatterns_for
from bench.peers.resolve import BusinessMiddleware

from .models import Booking, Note


class MultitenantMiddleware(BusinessMiddleware):
    """``set_current_tenant`` around the view, as the library's MultitenantMiddleware
    does for a signed-in user; unset after (the library's own leaves it set)."""

    business_model = "peers_multitenant.Business"

    def in_scope(self, request):
        set_current_tenant(request.business)
        try:
            return self.get_response(request)
        finally:
            unset_current_tenant()


urlpatterns = urlpatterns_for(
    Booking,
    Note,
    rows=lambda view, model: model.objects.all(),
    save_kwargs=lambda request: {"tenant": request.business},
)
