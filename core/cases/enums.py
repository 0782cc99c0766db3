"""Codes of cases from the provincial exchange specifications (DOMAIN.md)."""

from enum import IntEnum, StrEnum

# An item decides the type of its cases (core/items/enums.py); re-exported for the case views and pages.
from core.items.enums import CASE_TYPE_LABELS as CASE_TYPE_LABELS
from core.items.enums import CaseType as CaseType


class SubmitChannel(IntEnum):
    """申报方式 (0 窗口 ... 7 电子数据交换)."""

    WINDOW = 0
    ONLINE = 1
    LETTER = 2
    EMAIL = 3
    FAX = 4
    KIOSK = 5
    WECHAT = 6
    DATA_EXCHANGE = 7


SUBMIT_CHANNEL_LABELS = {
    0: "窗口登记",
    1: "网上申报",
    2: "信函申报",
    3: "电子邮件申报",
    4: "传真申报",
    5: "自助终端",
    6: "微信申报",
    7: "电子数据交换",
}


class StepResult(IntEnum):
    """环节办理结果."""

    DISAGREE = 0
    AGREE = 1
    NOT_ACCEPTED = 2
    REFUSED = 3
    ACCEPTED = 4
    SUPPLEMENT = 5
    SUSPENDED = 6
    RETURNED = 7


STEP_RESULT_LABELS = {
    0: "不同意",
    1: "同意",
    2: "不受理",
    3: "不予受理",
    4: "受理",
    5: "补齐补正",
    6: "特别程序(挂起)",
    7: "退回",
}


class ConclusionResult(IntEnum):
    """办结结果."""

    CERTIFIED = 0
    NOT_PERMITTED = 1
    VOIDED = 2
    DELETED = 3
    TRANSFERRED = 4
    WITHDRAWN = 5
    REFUSED = 6


CONCLUSION_RESULT_LABELS = {
    0: "出证办结",
    1: "不予许可",
    2: "作废",
    3: "删除",
    4: "转报",
    5: "退件",
    6: "不予受理",
}
RESULTS_NEEDING_REASON = {1, 2, 3, 4, 5}


class CaseStatus(StrEnum):
    """Where a case stands."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUPPLEMENTING = "supplementing"
    SUSPENDED = "suspended"
    CONCLUDED = "concluded"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    "submitted": "待受理",
    "processing": "办理中",
    "supplementing": "补齐补正中",
    "suspended": "特别程序中",
    "concluded": "已办结",
    "refused": "不予受理",
    "withdrawn": "已撤回",
}


class Step(StrEnum):
    """环节, in handling order."""

    ACCEPT = "accept"
    REVIEW = "review"
    DECIDE = "decide"
    CONCLUDE = "conclude"


STEP_LABELS = {"accept": "受理", "review": "审查", "decide": "决定", "conclude": "办结"}
STEP_ORDER = [Step.ACCEPT, Step.REVIEW, Step.DECIDE, Step.CONCLUDE]

ACTION_LABELS = {
    "submit": "申报",
    "register": "窗口登记",
    "accept": "受理",
    "refuse": "不予受理",
    "review": "审查",
    "joint_review": "会办审查",
    "decide": "决定",
    "conclude": "办结",
    "request_supplement": "补齐补正告知",
    "resupply": "申请人补正",
    "start_special": "特别程序开始",
    "end_special": "特别程序结束",
    "return": "退回",
    "issue_query_code": "发放查询密码",
    "withdraw": "申请人撤回",
    "edit_registration": "修改登记信息",
}

SPECIAL_PROCEDURE_KINDS = ["听证", "专家评审", "现场勘查", "检验检测", "公示", "招标拍卖", "鉴定", "其他"]
