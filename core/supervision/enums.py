"""Codes of a push's life (待认领 → 待反馈 → 已反馈) and their names, for the service, the schemas and the pages."""

PUSHED, CLAIMED, FED_BACK = "pushed", "claimed", "fed_back"
STATUS_LABELS = {PUSHED: "待认领", CLAIMED: "待反馈", FED_BACK: "已反馈"}
