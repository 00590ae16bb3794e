from dataclasses import dataclass

from bench.peers.api import urlpatterns_for
from bench.peers.resolve import BusinessMiddleware

from .models import Booking, Note


@dataclass(frozen=True)
class BusinessUser:
    """What RLSTenantMiddleware reads of ``request.user`` (its TenantUser protocol): the
    library takes the tenant from the signed-in user; here from the business named."""

    rls_tenant_id: int
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_tenant_admin: bool = False


class BusinessUserMiddleware(BusinessMiddleware):
    business_model = "peers_rls.Business"

    def in_scope(self, request):
        request.user = BusinessUser(request.business.pk)
        return self.get_response(request)


urlpatterns = urlpatterns_for(
    Booking,
    Note,
    rows=lambda view, model: model.objects.all(),
    save_kwargs=lambda request: {"tenant": request.business},
)
