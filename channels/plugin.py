"""How the channels plug into the core: their tables (conversations, messages, receipts)."""

MODELS = "channels.models"
