"""A rule-set version's statuses and their names, for the service, the schemas and the pages."""

DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
STATUS_LABELS = {DRAFT: "草稿", PUBLISHED: "现行", RETIRED: "已停用"}
