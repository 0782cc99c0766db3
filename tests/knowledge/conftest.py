"""Knowledge tests share the root fixtures (curators, live_app, fresh caches)."""
