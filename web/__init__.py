"""The portal (门户) and the admin site (管理端): Jinja2 pages over the core services."""
