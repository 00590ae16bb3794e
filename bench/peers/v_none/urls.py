"""The baseline: the list is narrowed to the business by hand (so every design returns
the same rows and the same count), and nothing else knows of businesses: the detail
reads any booking and a query outside a request reads every business's rows."""

from bench.peers.api import urlpatterns_for
from bench.peers.resolve import BusinessMiddleware

from .models import Booking, Note


class NoneMiddleware(BusinessMiddleware):
    business_model = "peers_none.Business"


def rows(view, model):
    if view.action != "list":
        return model.objects.all()
    if model is Note:
        return model.objects.filter(booking__tenant=view.request.business)
    return model.objects.filter(tenant=view.request.business)


urlpatterns = urlpatterns_for(Booking, Note, rows=rows, save_kwargs=lambda request: {"tenant": request.business})
