from bench.peers.api import urlpatterns_for
from core.tenancy import Access, TenantQuerySetMixin

from .models import Booking, Note

# The core's scoped ViewSet base owns get_queryset and perform_create (the tenant of a
# new booking comes from the request). Access.PUBLIC: no sign-in, as in every variant.
urlpatterns = urlpatterns_for(
    Booking, Note, view_bases=(TenantQuerySetMixin,), view_attrs={"tenancy_access": Access.PUBLIC}
)
