from bench.peers.api import urlpatterns_for

from .models import Booking, Note

# The schema is the business's: the rows need no filter and a new row no tenant.
urlpatterns = urlpatterns_for(Booking, Note, rows=lambda view, model: model.objects.all())
