"""The five rating levels (国办发〔2019〕51号) and a follow-up's statuses, for the service, the schemas and the pages."""

LEVEL_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = frozenset({1, 2})
PENDING, ANSWERED = "pending", "answered"
