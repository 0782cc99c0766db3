"""A project's and a department review's statuses with their names, and the project facts a filer gives, for the
service, the schemas and the pages."""

DRAFT, DERIVED, IN_REVIEW, CONFIRMED = "draft", "derived", "in_review", "confirmed"
STATUS_LABELS = {DRAFT: "填报中", DERIVED: "已推演", IN_REVIEW: "部门审核中", CONFIRMED: "部门已确认"}
PENDING = "pending"
REVIEW_STATUS_LABELS = {PENDING: "待审核", CONFIRMED: "已确认"}

PROJECT_INFO_LABELS = {
    "name": "项目名称",
    "enterprise_name": "建设单位",
    "credit_code": "统一社会信用代码",
    "location": "建设地点",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}
