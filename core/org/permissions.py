"""Permissions and data scopes. A role grants permissions; its data scope says whose data they reach."""

from enum import StrEnum


class Permission(StrEnum):
    """What a role may do."""

    CASE_READ = "case.read"
    CASE_HANDLE = "case.handle"
    CASE_DECIDE = "case.decide"
    CASE_REGISTER = "case.register"
    CASE_APPLY = "case.apply"
    ITEM_MANAGE = "item.manage"
    ORG_MANAGE = "org.manage"
    SECURITY_MANAGE = "security.manage"
    AUDIT_READ = "audit.read"
    STATS_READ = "stats.read"
    SERVICE_CLIENT = "service.client"
    KNOWLEDGE_EDIT = "knowledge.edit"
    KNOWLEDGE_REVIEW = "knowledge.review"
    PROJECT_FILE = "project.file"
    PROJECT_READ = "project.read"
    PROJECT_GUIDE = "project.guide"
    PROJECT_REVIEW = "project.review"
    RULES_MANAGE = "rules.manage"
    SUPERVISION_HANDLE = "supervision.handle"
    SUPERVISION_MANAGE = "supervision.manage"
    NOTIFICATION_MANAGE = "notification.manage"
    CONVERSATION_DESK = "conversation.desk"
    MAJOR_PROJECT_READ = "major_project.read"
    MAJOR_PROJECT_MANAGE = "major_project.manage"
    WARNING_HANDLE = "warning.handle"
    WARNING_MANAGE = "warning.manage"
    ASSESSMENT_READ = "assessment.read"
    ASSESSMENT_MANAGE = "assessment.manage"
    EXCHANGE_MANAGE = "exchange.manage"
    GUIDANCE_SERVE = "guidance.serve"
    GUIDANCE_MANAGE = "guidance.manage"


class DataScope(StrEnum):
    """How far a role's case permissions reach."""

    DEPARTMENT = "department"
    ALL = "all"
    OWN = "own"


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.CASE_READ: "查看办件",
    Permission.CASE_HANDLE: "受理、审查办件（含不予受理、补正告知、特别程序）",
    Permission.CASE_DECIDE: "决定、办结办件（含退回上一环节）",
    Permission.CASE_REGISTER: "窗口登记办件、打印受理通知书",
    Permission.CASE_APPLY: "网上申报、查看本人办件",
    Permission.ITEM_MANAGE: "维护事项与办事指南",
    Permission.ORG_MANAGE: "系统管理：部门、用户（分配业务角色、解锁被锁定的账号）",
    Permission.SECURITY_MANAGE: "安全管理：分配角色与权限、安全设置",
    Permission.AUDIT_READ: "审计：查看和导出审计日志",
    Permission.STATS_READ: "查看内部统计",
    Permission.SERVICE_CLIENT: "服务客户端（机器人动作服务器等）",
    Permission.KNOWLEDGE_EDIT: "编辑知识库（草稿、提交审核、导入）",
    Permission.KNOWLEDGE_REVIEW: "审核发布知识库（不能审核本人提交的内容）",
    Permission.PROJECT_FILE: "报建申报：填报本单位投资建设项目、获取指导意见书",
    Permission.PROJECT_READ: "查看投资建设项目（本部门参与审核的或全部）",
    Permission.PROJECT_GUIDE: "报建专员：确认和补填项目指标、推演流程、发起部门审核、出具指导意见书",
    Permission.PROJECT_REVIEW: "审核确认本部门的报建流程事项",
    Permission.RULES_MANAGE: "维护流程推演规则和专项报建指南（试算、发布、回滚）",
    Permission.SUPERVISION_HANDLE: "审管衔接：认领本部门收到的审批推送、反馈监管结果",
    Permission.SUPERVISION_MANAGE: "审管衔接管理：推送配置、催办设置、事项信息比对、统计",
    Permission.NOTIFICATION_MANAGE: "查看通知投递状态、重发失败的通知",
    Permission.CONVERSATION_DESK: "导办台：接待未涉及具体部门办件的转人工咨询",
    Permission.MAJOR_PROJECT_READ: "查看重大项目跟踪（本部门承担节点、问题的项目或全部）",
    Permission.MAJOR_PROJECT_MANAGE: "重大项目管理：登记项目、编排节点和里程碑、提出协调问题、记录会商",
    Permission.WARNING_HANDLE: "预警处理：签收本部门的预警、填报处理情况",
    Permission.WARNING_MANAGE: "预警管理：预警设置、销警、查看全部预警",
    Permission.ASSESSMENT_READ: "查看本部门的考核结果、提出申诉",
    Permission.ASSESSMENT_MANAGE: "进度考核：考核方案、计算、审核修正、发布、答复申诉",
    Permission.EXCHANGE_MANAGE: "数据交换：查看交换记录与对账差异，暂停、恢复对接，重发记录，修正隔离记录后重放",
    Permission.GUIDANCE_SERVE: "帮办员：接待分配给本人的帮办预约、填写服务情况",
    Permission.GUIDANCE_MANAGE: "帮办管理：帮办员排班、预约日历、改派、服务统计与导出",
}

DATA_SCOPE_LABELS = {DataScope.DEPARTMENT: "本部门", DataScope.ALL: "全部", DataScope.OWN: "本人"}
