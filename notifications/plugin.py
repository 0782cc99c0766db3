"""How notifications plug into the core: the outbox table, the event hook that fills it, delivery jobs, pages."""

MODELS = "notifications.models"
