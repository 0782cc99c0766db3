"""The provincial standard fields of case, step and result records (DOMAIN.md: 办件 codes from the provincial
exchange specifications), and the field-by-field check every record — ours going out, theirs coming in — passes.

Field names follow the provincial exchange specification's short names (申办流水号 SBLSH, 事项编码 SXBM …); each
field has its Chinese name, so a refusal or a quarantine says in Chinese which field is wrong and why. Codes: case
types 1–4, submit channels 0–7, step results 0–7, conclusion results 0–6, results 1–5 need a written reason.
ID numbers never leave in clear: the exchange log keeps what was sent, and the platform keeps ID numbers encrypted
at rest, so they go masked (a counterpart that needs them in clear fetches them over its own authorised interface).
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
UNITS = ("工作日", "自然日", "小时")


@dataclass(frozen=True)
class Field:
    """One field of a record: its short name, its Chinese name, whether it is required, and its check."""

    name: str
    label: str
    required: bool = True
    kind: str = "text"
    """text, int, time, code (one of ``choices``), date"""
    choices: tuple[str, ...] = ()
    max_length: int = 200
    pattern: str = ""
    pattern_hint: str = ""


def _codes(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(n) for n in range(first, last + 1))


CASE_FIELDS = (
    Field("SBLSH", "申办流水号", max_length=40),
    Field("SXBM", "事项编码", max_length=64),
    Field("SXMC", "事项名称"),
    Field("SSBMBM", "实施部门编码", max_length=64),
    Field("SSBMMC", "实施部门名称"),
    Field("BJLX", "办件类型", kind="code", choices=_codes(1, 4)),
    Field("SBFS", "申报方式", kind="code", choices=_codes(0, 7)),
    Field("SQRLX", "申请人类型", kind="code", choices=("1", "2")),
    Field("SQRMC", "申请人名称"),
    Field("SQRZJHM", "申请人证件号码（脱敏）", required=False, max_length=40),
    Field("XMMC", "申报事由或项目名称", required=False),
    Field("SBSJ", "申报时间", kind="time"),
    Field("SLSJ", "受理时间", required=False, kind="time"),
    Field("CNBJSX", "承诺办结时限", kind="int"),
    Field("SXDW", "时限单位", kind="code", choices=UNITS),
    Field("BLZT", "办理状态", max_length=20),
    Field("YJBJSJ", "应办结时间", required=False, kind="time"),
    Field("BJSJ", "办结时间", required=False, kind="time"),
    Field("BJJG", "办结结果", required=False, kind="code", choices=_codes(0, 6)),
    Field("BJYY", "办结理由", required=False, max_length=2000),
    Field("BGSJ", "变更时间", kind="time"),
)
STEP_FIELDS = (
    Field("SBLSH", "申办流水号", max_length=40),
    Field("HJXH", "环节序号", kind="int"),
    Field("HJMC", "环节名称", max_length=20),
    Field("BLDZ", "办理动作", max_length=20),
    Field("BLJG", "环节办理结果", required=False, kind="code", choices=_codes(0, 7)),
    Field("BLYJ", "办理意见", required=False, max_length=2000),
    Field("BLR", "办理人", max_length=50),
    Field("BLBM", "办理部门", required=False),
    Field("BLSJ", "办理时间", kind="time"),
)
RESULT_FIELDS = (
    Field("SBLSH", "申办流水号", max_length=40),
    Field("SXBM", "事项编码", max_length=64),
    Field("BJJG", "办结结果", kind="code", choices=_codes(0, 6)),
    Field("BJYY", "办结理由", required=False, max_length=2000),
    Field("BJSJ", "办结时间", kind="time"),
    Field("JGMC", "结果名称", required=False),
    Field("ZZBH", "证照编号", required=False, max_length=40),
    Field("ZZMC", "证照名称", required=False),
    Field("YXQZ", "有效期至", required=False, kind="time"),
    Field("FZJG", "发证机关", required=False),
)
ITEM_FIELDS = (
    Field("SXBM", "事项编码", max_length=64),
    Field("SXMC", "事项名称"),
    Field("SXLX", "事项类型", max_length=20),
    Field("SSBMBM", "实施部门编码", max_length=64),
    Field("SSBMMC", "实施部门名称"),
    Field("FDSX", "法定时限", kind="int"),
    Field("CNSX", "承诺时限", kind="int"),
    Field("SXDW", "时限单位", kind="code", choices=UNITS),
    Field("BJLX", "办件类型", kind="code", choices=_codes(1, 4)),
    Field("SFBZ", "收费依据及标准", max_length=2000),
    Field("JGMC", "结果名称", required=False),
    Field("BGSJ", "变更时间", kind="time"),
)
PROJECT_CODE_PATTERN = r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$"
"""投资项目统一代码 (在线审批监管平台): year – area code – industry – kind – serial, e.g. 2026-511602-47-01-000123."""
APPROVAL_FIELDS = (
    Field("XMDM", "项目代码", max_length=24, pattern=PROJECT_CODE_PATTERN, pattern_hint="如 2026-511602-47-01-000123"),
    Field("XMMC", "项目名称"),
    Field("SPSXBM", "审批事项编码", max_length=64),
    Field("SPSXMC", "审批事项名称"),
    Field("SPBM", "审批部门"),
    Field("SLSJ", "受理时间", kind="time"),
    Field("BJSJ", "办结时间", required=False, kind="time"),
    Field("SPJG", "审批结果", required=False, kind="code", choices=_codes(0, 6)),
    Field("PFWH", "批复文号", required=False, max_length=100),
)
SUPERVISION_STATUS_FIELDS = (
    Field("ZZBH", "证照编号", max_length=40),
    Field("JGZT", "监管状态", kind="code", choices=("1", "2", "3", "4")),
    Field("JGSM", "监管说明", required=False, max_length=2000),
    Field("JGSJ", "监管时间", kind="time"),
    Field("JGBM", "监管部门"),
)
SUPERVISION_STATES = {"1": "正常", "2": "整改中", "3": "已整改", "4": "撤销"}
AD_APPLICATION_FIELDS = (
    Field("SQBH", "申请编号", max_length=40),
    Field("SQRMC", "申请人名称"),
    Field("SZDD", "设置地点", max_length=300),
    Field("GGLX", "广告类型", kind="code", choices=("1", "2", "3", "4")),
    Field("MJ", "面积（平方米）", kind="int"),
    Field("SQSJ", "申请时间", kind="time"),
    Field("SPJG", "审批结果", required=False, kind="code", choices=_codes(0, 6)),
    Field("SBLSH", "本方申办流水号", required=False, max_length=40),
)
AD_RESULT_FIELDS = (
    Field("SQBH", "申请编号", max_length=40),
    Field("SBLSH", "本方申办流水号", max_length=40),
    Field("SPJG", "审批结果", kind="code", choices=_codes(0, 6)),
    Field("BJYY", "办结理由", required=False, max_length=2000),
    Field("BJSJ", "办结时间", kind="time"),
)
AD_TYPES = {"1": "招牌", "2": "立柱广告", "3": "墙体广告", "4": "临时性广告"}
AGGREGATE_FIELDS = (
    Field("TJYF", "统计月份", max_length=7, pattern=r"^\d{4}-\d{2}$", pattern_hint="如 2026-09"),
    Field("SSBMBM", "实施部门编码", max_length=64),
    Field("SXBM", "事项编码", max_length=64),
    Field("SLS", "受理数", kind="int"),
    Field("BJS", "办结数", kind="int"),
    Field("AQBJS", "按期办结数", kind="int"),
    Field("YQS", "逾期数", kind="int"),
    Field("AQL", "按期办结率（%）", required=False, max_length=8),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "case": CASE_FIELDS,
    "step": STEP_FIELDS,
    "result": RESULT_FIELDS,
    "licence": RESULT_FIELDS,
    "item": ITEM_FIELDS,
    "approval": APPROVAL_FIELDS,
    "project": APPROVAL_FIELDS,
    "supervision_status": SUPERVISION_STATUS_FIELDS,
    "ad_application": AD_APPLICATION_FIELDS,
    "ad_result": AD_RESULT_FIELDS,
    "aggregate": AGGREGATE_FIELDS,
}
"""Every record kind's fields — also the data dictionary the data centre's export ships with."""


def _check(field: Field, value: Any) -> str:
    """What is wrong with one value, in Chinese; empty when it is fine."""
    if value is None or value == "":
        return f"缺少“{field.label}”（{field.name}）" if field.required else ""
    text = str(value)
    if field.kind == "int":
        if isinstance(value, bool) or not re.fullmatch(r"-?\d+", text):
            return f"“{field.label}”应为整数，收到“{text[:20]}”"
    elif field.kind == "time":
        try:
            datetime.strptime(text, TIME_FORMAT)
        except ValueError:
            return f"“{field.label}”应为“年-月-日 时:分:秒”格式的时间，收到“{text[:30]}”"
    elif field.kind == "code" and text not in field.choices:
        return f"“{field.label}”的代码“{text[:20]}”不在规范代码表中（可选：{'、'.join(field.choices)}）"
    if len(text) > field.max_length:
        return f"“{field.label}”过长（最多 {field.max_length} 个字符）"
    if field.pattern and not re.fullmatch(field.pattern, text):
        return f"“{field.label}”格式不对（{field.pattern_hint}），收到“{text[:30]}”"
    return ""


RuleCheck = Callable[[dict[str, Any]], list[dict[str, str]]]


def _reason_rule(record: dict[str, Any], code_field: str) -> list[dict[str, str]]:
    if str(record.get(code_field, "")) in {"1", "2", "3", "4", "5"} and not str(record.get("BJYY", "")).strip():
        return [{"field": "BJYY", "message": "办结结果为不予许可、作废、删除、转报或退件时，必须填写“办结理由”"}]
    return []


RULES: dict[str, RuleCheck] = {
    "case": lambda r: _reason_rule(r, "BJJG") if r.get("BJJG") not in (None, "") else [],
    "ad_result": lambda r: _reason_rule(r, "SPJG"),
    "result": lambda r: _reason_rule(r, "BJJG"),
    "licence": lambda r: _reason_rule(r, "BJJG"),
}
"""Checks across fields, after the field-by-field ones."""


def validate(kind: str, record: Any) -> list[dict[str, str]]:
    """Every problem of one record, field by field: ``[{"field", "message"}]``, empty when it may be used."""
    if not isinstance(record, dict):
        return [{"field": "", "message": "记录不是一组“字段: 值”，无法读取"}]
    problems = []
    for field in FIELDS[kind]:
        message = _check(field, record.get(field.name))
        if message:
            problems.append({"field": field.name, "message": message})
    unknown = sorted(set(record) - {f.name for f in FIELDS[kind]})
    if unknown:
        problems.append({"field": unknown[0], "message": f"含有规范之外的字段：{'、'.join(unknown[:5])}"})
    if not problems and kind in RULES:
        problems += RULES[kind](record)
    return problems


def stamp(value: datetime | None) -> str | None:
    """A time as the standard writes it."""
    return value.strftime(TIME_FORMAT) if value is not None else None


def canonical(payload: dict[str, Any]) -> bytes:
    """The one byte form of a record (sorted keys, no spaces, UTF-8): what is signed, sent and checksummed."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def checksum(payload: dict[str, Any]) -> str:
    """SHA-256 of the record's canonical form."""
    return hashlib.sha256(canonical(payload)).hexdigest()


def day_checksum(entries: list[tuple[str, str]]) -> str:
    """The checksum of one day's records of one kind: SHA-256 over ``local id:record checksum`` lines in id order —
    both sides compute it the same way over what they hold."""
    digest = hashlib.sha256()
    for local_id, record_sum in sorted(entries):
        digest.update(f"{local_id}:{record_sum}\n".encode())
    return digest.hexdigest()
