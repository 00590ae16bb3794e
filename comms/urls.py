from django.urls import path
from rest_framework.routers import SimpleRouter

from comms import views

router = SimpleRouter()
router.register("channels", views.ChannelViewSet, basename="channel")
router.register(r"channels/(?P<channel_pk>[^/.]+)/members", views.ChannelMemberViewSet, basename="channel-member")
router.register(r"channels/(?P<channel_pk>[^/.]+)/messages", views.MessageViewSet, basename="channel-message")
router.register(
    r"messages/(?P<message_pk>[^/.]+)/attachments", views.MessageAttachmentViewSet, basename="message-attachment"
)

urlpatterns = [path("ws-ticket/", views.SocketTicketView.as_view(), name="ws-ticket"), *router.urls]
