"""Service items (事项) and their guides (办事指南)."""
