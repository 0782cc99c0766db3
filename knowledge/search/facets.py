"""What a question is about — materials, time limit, fee, place, online, conditions, validity, result —
recognised from cue words. Most FAQs answer one or two of these; a query asking about the time limit
should prefer the item's time-limit FAQ over its materials FAQ even when the item words match both."""

import re


def _cues(words: str) -> tuple[str, ...]:
    return tuple(words.split())


FACETS: dict[str, tuple[str, ...]] = {
    "materials": _cues(
        "材料 资料 带什么 带啥 准备 交什么 交哪 提交 东西 图纸 证件 复印件 原件 要带 户口本 身份证 照片"
    ),
    "time": _cues("多久 几天 多长时间 工作日 时限 办好 办完 办结 当天 等几天 多少天 几个工作日 批下来 办下来 当场"),
    "fee": _cues("收费 要钱 多少钱 费用 交费 免费 收钱 花钱 收多少"),
    "place": _cues("在哪 哪里 窗口 几楼 地址 地点 哪个区 去哪"),
    "online": _cues("网上 线上 手机 不用跑 跑一趟 邮寄 网办 到现场 跑窗口 下载"),
    "conditions": _cues(
        "条件 谁可以 哪些人 哪些项目 需要办吗 要不要办 要办吗 能不能申请 可以申请 资格 什么情况 哪些情况 适用"
    ),
    "validity": _cues("有效期 到期 延续 几年 过期 期限 用到什么时候 管几年 还有效"),
    "result": _cues("领取 拿证 怎么领 打印 发什么证 证怎么领 证怎么拿 证在哪领"),
}


NEEDS_PERMIT = re.compile(
    r"(要|需要|得|用|必须)(先|去|单独|另外|也|还)?(办|办理|审批|报批|批|备案|申请|报|做)[^，。,？?！!]{0,12}(吗|么|不)\s*[？?]?$"
    r"|(要不要|需不需要|用不用|是否需要)(先|去|单独|另外)?(办|审批|报批|批|备案|申请|报|做)"
)
"""Whether something needs a permit at all (“店门口挂招牌要审批吗”, “游泳馆要办卫生许可吗”, “仓库要去备案吗”): the
conditions of the item, which an FAQ on who needs it answers (“哪些场所需要办…”, “…也要办理…吗”)."""

BENEFITS = ("补贴", "奖励", "补助", "资助")
"""How much a benefit pays (补贴最多多少钱) is not a fee the applicant pays."""


def facets(text: str) -> frozenset[str]:
    """The facets a text asks about."""
    found = frozenset(name for name, cues in FACETS.items() if any(cue in text for cue in cues))
    if NEEDS_PERMIT.search(text):
        found |= {"conditions"}
    if "fee" in found and any(word in text for word in BENEFITS):
        found -= {"fee"}
    return found
