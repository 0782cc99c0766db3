"""Names a person can read in the audit log: Chinese action names, object names and kinds of write."""

from core.audit.models import AuditLog

ACTION_NAMES: dict[str, str] = {
    "case.register": "办件登记",
    "case.submit": "网上申报",
    "case.accept": "办件受理",
    "case.refuse": "不予受理",
    "case.request_supplement": "补正告知",
    "case.resupply": "补正材料",
    "case.review": "办件审查",
    "case.joint_review": "联办审查",
    "case.decide": "办件决定",
    "case.conclude": "办结",
    "case.return": "办件退回",
    "case.correct": "办件更正",
    "case.start_special": "开始特别程序",
    "case.end_special": "结束特别程序",
    "case.issue_query_code": "打印受理通知书（重新生成查询密码）",
    "case.scan_deadlines": "时限扫描",
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "auth.locked": "密码连续输错，账号被锁定",
    "auth.login_locked": "账号锁定期间尝试登录",
    "auth.unlocked": "解锁账号",
    "auth.password_changed": "修改密码",
    "auth.two_factor_enabled": "启用双因素认证",
    "auth.two_factor_disabled": "关闭双因素认证",
    "auth.two_factor_failed": "动态验证码错误",
    "auth.two_factor_code_reused": "重复使用已用过的动态验证码（已拒绝）",
    "auth.recovery_code_used": "使用恢复码登录",
    "auth.recovery_codes_renewed": "重新生成恢复码",
    "applicant.prefill_read": "窗口调取申请人信息",
    "project.derive": "流程推演",
    "project.review": "发起部门审核",
    "project.review.confirm": "部门确认报建流程",
    "project.review.correct": "部门更正报建事项",
    "project.review.delete": "部门删除报建事项",
    "project.review.add": "部门新增报建事项",
    "rules.start_draft": "新建推演规则草稿",
    "rules.save_rule": "保存推演规则",
    "rules.delete_rule": "删除推演规则",
    "rules.discard_draft": "放弃规则草稿",
    "rules.publish": "发布推演规则",
    "rules.rollback": "回滚推演规则",
    "supervision.configure": "审管衔接推送配置",
    "supervision.claim": "认领审批推送",
    "supervision.feedback": "反馈监管结果",
    "supervision.compare": "事项信息比对",
    "supervision.scan_escalations": "审批推送催办扫描",
    "wecom.card_refused": "企业微信卡片操作被拒绝",
    "audit.export": "导出审计日志",
    "audit.purge": "按保存期限清理审计日志",
    "personal_data.read": "查阅个人信息",
}
"""Business actions by code; writes without one are named by their object and kind (``case.update`` → 修改办件)."""

ENTITY_NAMES: dict[str, str] = {
    "api_token": "访问令牌",
    "applicant": "申请人",
    "audit_log": "审计日志",
    "bundle": "一件事",
    "case": "办件",
    "case_material": "办件材料",
    "case_number_counter": "办件编号计数器",
    "case_step": "办理环节",
    "channel_binding": "渠道绑定",
    "conversation": "咨询会话",
    "conversation_case": "会话关联办件",
    "conversation_message": "会话消息",
    "department": "部门",
    "department_review": "部门审核",
    "derivation": "流程推演结果",
    "domain_event": "业务事件",
    "evaluation": "好差评",
    "faq": "咨询问答",
    "glossary_term": "政务百科词条",
    "guidance_letter": "指导意见书",
    "item_comparison": "事项比对",
    "item_comparison_row": "事项比对明细",
    "item_material": "事项材料",
    "joint_task": "联办任务",
    "knowledge_generation": "知识库版本",
    "knowledge_revision": "知识库修订",
    "law": "法律法规",
    "law_article": "法规条文",
    "licence": "证照",
    "message_receipt": "消息回执",
    "notification": "通知",
    "password_history": "历史密码",
    "policy": "政策文件",
    "project": "投资建设项目",
    "review_adjustment": "审核调整",
    "role": "角色",
    "rule_set_version": "推演规则版本",
    "service_item": "事项",
    "special_topic": "专项报建指南",
    "stored_file": "文件",
    "supervision_config": "审管推送配置",
    "supervision_config_department": "审管推送部门",
    "supervision_escalation": "催办记录",
    "supervision_feedback": "监管反馈",
    "supervision_push": "审批推送",
    "supplement": "补正",
    "suspension": "暂停计时",
    "system_link": "业务系统链接",
    "unanswered_question": "未答问题",
    "user": "用户",
    "user_role": "用户角色",
    "user_session": "登录会话",
    "wecom_card_click": "企业微信卡片点击",
}
OPERATION_NAMES = {"insert": "新增", "update": "修改", "delete": "删除", "event": "事件", "read": "查阅"}
ACTOR_KINDS = {"user": "网页登录", "token": "接口令牌", "anonymous": "匿名访客", "system": "系统"}


def entity_name(entity: str) -> str:
    """The Chinese name of a table or object kind (the code itself when unknown)."""
    return ENTITY_NAMES.get(entity, entity)


def action_name(action: str, entity: str = "", operation: str = "") -> str:
    """The Chinese name of an action code; a write without a business action reads as e.g. 修改办件."""
    if action in ACTION_NAMES:
        return ACTION_NAMES[action]
    if action == f"{entity}.{operation}" and operation in OPERATION_NAMES:
        return OPERATION_NAMES[operation] + entity_name(entity)
    prefix = action.split(".", 1)[0]
    return f"{entity_name(prefix)}：{action.split('.', 1)[-1]}" if prefix in ENTITY_NAMES else action


def describe(row: AuditLog) -> str:
    """One line for a record: what was done to which object (``修改通知 #12``, ``修改通知（3 行）``)."""
    what = f"{OPERATION_NAMES.get(row.operation, row.operation)}{entity_name(row.entity)}"
    if row.entity_id:
        return f"{what} #{row.entity_id}"
    if row.row_count is not None and row.row_count > 1:
        return f"{what}（{row.row_count} 行）"
    return what
