"""Composition root: the one ASGI app that serves the API, the portal, the admin site and callbacks."""
