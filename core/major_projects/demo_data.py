"""The demo's major projects, problems and their facts (core/major_projects/demo.py plays them out)."""

from dataclasses import dataclass, field


@dataclass
class Spec:
    """One demo project: facts, where its nodes come from, when its approvals started and what happened."""

    name: str
    category: str
    stage: str
    lead: str
    enterprise: str
    investment: int
    start: int
    """Working days from today to the approvals' start (negative: in the past)."""
    nodes: list[tuple[str, str, int]] = field(default_factory=list)
    """(name, department code, time limit) of nodes added by hand, each after the one before; a catalogue item of
    that name becomes the node's item. Empty: the filing project's flow gives the nodes."""
    filing: str = ""
    stuck: tuple[str, ...] = ()
    """Nodes that keep running past their planned finish (overdue)."""
    milestones: list[tuple[str, int, int | None]] = field(default_factory=list)
    """(kind, planned day, reached day) in calendar days from today."""


SPECS = [
    Spec("新能源汽车零部件智能制造项目", "industry", "approval", "D02", "XX新能源科技有限公司", 120000, -38,
         filing="新能源汽车零部件智能制造项目", stuck=("建设项目环境影响报告表审批",),
         milestones=[("land", -50, -52), ("groundbreaking", 25, None)]),
    Spec("生物医药产业园标准厂房项目", "industry", "approval", "D02", "XX生物医药产业发展有限公司", 36000, -9,
         filing="生物医药产业园标准厂房项目", milestones=[("land", -20, -18), ("groundbreaking", 45, None)]),
    Spec("智能装备产业园一期", "industry", "construction", "D02", "XX智能装备有限公司", 52000, -70,
         nodes=[("企业投资项目备案", "D02", 1), ("建设工程规划许可证核发", "D03", 5), ("建设工程消防设计审查", "D04", 7),
                ("建筑工程施工许可证核发", "D04", 3)],
         milestones=[("land", -120, -118), ("groundbreaking", -40, -41), ("topping_out", 60, None)]),
    Spec("滨湖实验学校新建工程", "livelihood", "approval", "D20", "XX教育投资发展有限公司", 18000, -24,
         nodes=[("建设用地规划许可证核发", "D03", 5), ("建设工程规划许可证核发", "D03", 5), ("人防工程（结建）审批", "D13", 5),
                ("建设工程消防设计审查", "D04", 7), ("建筑工程施工许可证核发", "D04", 3)],
         stuck=("人防工程（结建）审批",), milestones=[("land", -40, -38), ("groundbreaking", -2, None)]),
    Spec("环湖路综合改造工程", "infrastructure", "approval", "D11", "XX城市建设投资有限公司", 9600, -14,
         nodes=[("政府投资项目可行性研究报告审批", "D02", 10), ("城市桥梁上架设各类市政管线审批", "D11", 10),
                ("砍伐、移植城市树木审批", "D11", 5), ("占用、挖掘城市道路审批", "D11", 5)],
         milestones=[("groundbreaking", 30, None)]),
    Spec("污水处理厂提标改造工程", "infrastructure", "construction", "D14", "XX水务集团有限公司", 24500, -55,
         nodes=[("建设项目环境影响报告书（表）审批", "D06", 15), ("建筑工程施工许可证核发", "D04", 3),
                ("城市排水许可证核发", "D14", 5)],
         milestones=[("groundbreaking", -20, -19), ("completion_acceptance", 90, None)]),
    Spec("人才公寓二期", "livelihood", "preparation", "D05", "XX城市发展集团有限公司", 45000, 6,
         nodes=[("建设项目用地预审与选址意见书核发", "D03", 10), ("建设用地规划许可证核发", "D03", 5)],
         milestones=[("land", 20, None)]),
    Spec("高端医疗器械研发中心", "industry", "completed", "D02", "XX医疗科技股份有限公司", 68000, -160,
         nodes=[("企业投资项目备案", "D02", 1), ("建设工程规划许可证核发", "D03", 5), ("建筑工程施工许可证核发", "D04", 3),
                ("规划许可内容的核实", "D03", 7), ("建设工程竣工验收备案", "D04", 3)],
         milestones=[("groundbreaking", -200, -198), ("topping_out", -90, -95), ("completion_acceptance", -12, -10),
                     ("production", 25, None)]),
    Spec("光伏组件扩产项目", "industry", "operating", "D02", "XX光伏能源有限公司", 86000, -230,
         nodes=[("企业投资项目备案", "D02", 1), ("固定资产投资项目节能审查", "D02", 10), ("建筑工程施工许可证核发", "D04", 3),
                ("建设工程竣工验收备案", "D04", 3)],
         milestones=[("groundbreaking", -300, -296), ("completion_acceptance", -60, -58), ("production", -30, -33)]),
    Spec("城市应急物资储备中心", "other", "approval", "D19", "XX经济开发区应急管理局", 7800, -6,
         nodes=[("政府投资项目可行性研究报告审批", "D02", 10), ("建设项目用地预审与选址意见书核发", "D03", 10),
                ("建设项目环境影响报告书（表）审批", "D06", 15)],
         milestones=[("land", 15, None)]),
]  # fmt: skip


ISSUES: list[tuple[int, str, str, list[str], int, int, list[tuple[str, str]], str]] = [
    # (project number, title, description, departments asked, raised days ago, due in days, replies, closing note)
    (
        1,
        "施工用电10千伏专线接入需开挖市政道路",
        "项目计划下月进场施工，供电专线需穿越星湖街，需城管部门明确道路开挖审批和恢复要求。",
        ["D11", "D14"],
        10,
        3,
        [("D11", "已安排现场踏勘，道路开挖可与雨污管线施工同步审批")],
        "",
    ),
    (
        4,
        "学校地块内既有规划道路红线调整",
        "地块北侧规划道路红线与校舍方案冲突，需规划部门出具调整意见，人防部门复核防空地下室位置。",
        ["D03", "D13"],
        20,
        -5,
        [],
        "",
    ),
    (
        3,
        "渣土运输路线和时段审批",
        "基坑开挖阶段每日渣土约3000方，需明确运输路线和夜间运输时段。",
        ["D11", "D08"],
        45,
        -20,
        [
            ("D11", "同意按东环路—青丘街路线运输，需办理建筑垃圾处置核准"),
            ("D08", "夜间22时至次日5时可运输，车辆需安装定位"),
        ],
        "运输路线和时段已明确，企业已办理建筑垃圾处置核准",
    ),
    (
        5,
        "施工期间交通组织方案",
        "环湖路分段封闭施工，需交通部门审核公交线路临时调整方案。",
        ["D08"],
        6,
        8,
        [("D08", "公交线路调整方案原则同意，请于封闭前5日发布公告")],
        "",
    ),
]
