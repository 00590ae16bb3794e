"""The WSGI application of whichever variant ``DJANGO_SETTINGS_MODULE`` names."""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
