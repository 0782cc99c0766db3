"""The codes of data exchange and their Chinese labels (codes are stored; labels are shown)."""

from enum import StrEnum


class Direction(StrEnum):
    """Which way a record travels."""

    OUT = "out"
    IN = "in"


DIRECTION_LABELS = {Direction.OUT: "上报", Direction.IN: "接收"}


class Status(StrEnum):
    """Where an exchange record is. A record being sent keeps its status and holds a lease (``locked_until``)."""

    PENDING = "pending"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    RETRYING = "retrying"
    RECONCILED = "reconciled"
    QUARANTINED = "quarantined"


STATUS_LABELS = {
    Status.PENDING: "待发送",
    Status.SENT: "已发送",
    Status.CONFIRMED: "已确认",
    Status.FAILED: "失败",
    Status.RETRYING: "重试中",
    Status.RECONCILED: "已对账",
    Status.QUARANTINED: "隔离",
}

SENDABLE = (Status.PENDING, Status.RETRYING)
"""Statuses a delivery worker may claim (when due and not leased)."""
DELIVERED = (Status.SENT, Status.CONFIRMED, Status.RECONCILED)
"""The counterpart has it (confirmed or about to confirm)."""


class Kind(StrEnum):
    """What a record is."""

    ITEM = "item"
    CASE = "case"
    STEP = "step"
    RESULT = "result"
    PROJECT = "project"
    APPROVAL = "approval"
    LICENCE = "licence"
    SUPERVISION_STATUS = "supervision_status"
    AGGREGATE = "aggregate"
    AD_APPLICATION = "ad_application"
    AD_RESULT = "ad_result"


KIND_LABELS = {
    Kind.ITEM: "事项",
    Kind.CASE: "办件",
    Kind.STEP: "办理环节",
    Kind.RESULT: "办理结果",
    Kind.PROJECT: "投资项目",
    Kind.APPROVAL: "项目审批",
    Kind.LICENCE: "一书三证",
    Kind.SUPERVISION_STATUS: "监管状态",
    Kind.AGGREGATE: "统计汇总",
    Kind.AD_APPLICATION: "户外广告申请",
    Kind.AD_RESULT: "户外广告审批结果",
}


class Counterpart(StrEnum):
    """The platforms the zone exchanges data with (seed 4.14 and 2.2.1)."""

    GOV_SERVICE = "gov_service"
    INVESTMENT = "investment"
    FOUR_CERTS = "four_certs"
    SMART_CITY = "smart_city"
    CITY_BRAIN = "city_brain"
    OUTDOOR_ADS = "outdoor_ads"
    DATA_CENTER = "data_center"


COUNTERPART_LABELS = {
    Counterpart.GOV_SERVICE: "市政务服务平台",
    Counterpart.INVESTMENT: "投资建设一网通办平台",
    Counterpart.FOUR_CERTS: "一书三证在线监管系统",
    Counterpart.SMART_CITY: "智慧城市平台",
    Counterpart.CITY_BRAIN: "城市大脑",
    Counterpart.OUTDOOR_ADS: "城管户外广告审批平台",
    Counterpart.DATA_CENTER: "行政审批数据中心",
}

DIFF_LABELS = {"missing": "对方缺少", "extra": "仅对方有", "different": "内容不一致", "count": "数量或校验和不一致"}
