"""Tenants' own provider keys, encrypted at rest, and the providers' clients that use them."""
