"""What the platform itself says to people on the channels (the bot's own wording lives in bot/)."""

from channels.messages import Button, OutboundMessage

HANDOFF = "转人工"
HANDOFF_BUTTON = Button(title="转人工服务", payload=HANDOFF)
HANDOFF_WORDS = frozenset({"转人工", "人工", "人工客服", "人工服务", "转人工服务", "找人工", "真人"})
"""What a person types to ask for a person; the gateway understands it itself while the bot is down."""


def greeting(centre_name: str) -> OutboundMessage:
    """The welcome on subscribing: what the bot can do."""
    text = (
        f"您好，欢迎关注{centre_name}！我是智能客服，可以帮您：\n"
        "· 解答办事和政策问题（附出处）\n"
        "· 查看办事指南：要什么材料、多久办结、收不收费、去哪里办\n"
        "· 查询办件进度（需要办件编号和查询密码）\n"
        "· 投资建设项目报建指导\n"
        "· 对办结的办件进行评价\n"
        "直接发文字问我就可以，需要人工服务请回复“转人工”。"
    )
    buttons = [
        Button(title="查询办件进度", payload="查询办件进度"),
        Button(title="查看办事指南", payload="办事指南"),
        Button(title="项目报建指导", payload="项目报建"),
        HANDOFF_BUTTON,
    ]
    return OutboundMessage(text=text, buttons=buttons)


BOT_DOWN = OutboundMessage(
    text="抱歉，智能客服暂时无法回答，您的消息已经记录，请稍后再试。如需帮助，也可以转人工服务。",
    buttons=[HANDOFF_BUTTON],
)
OFFER_PERSON = OutboundMessage(
    text="抱歉，我好像没能帮上您。需要的话可以转人工服务，工作人员会在这里回复您。", buttons=[HANDOFF_BUTTON]
)
HANDOFF_STARTED = "已为您转接人工服务，请稍候，工作人员接入后会在这里回复您。"
RELAYED_TO_STAFF = "您的消息已转给人工客服，工作人员会在这里回复您，请稍候。"
"""Said to a person writing during a hand-off (once per run of messages): their message reached the staff."""
STAFF_JOINED = "您好，人工客服已接入，请问有什么可以帮您？"
STAFF_LEFT = "本次人工服务已结束，感谢您的耐心。如有其他问题，可以继续向智能客服提问。"
EMPTY = OutboundMessage(text="请用文字描述您想办理或咨询的事情，例如“施工许可证要什么材料”。")
UNSUPPORTED = OutboundMessage(
    text="抱歉，我目前只能看懂文字消息。请用文字描述您的问题，例如“户外广告审批多久”；需要帮助可以转人工服务。",
    buttons=[HANDOFF_BUTTON],
)
