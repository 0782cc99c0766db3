"""Channels: where people talk to the bot (WeChat Official Account, web chat on the portal, plain REST).

Every channel turns its payloads into a normalised ``InboundMessage`` and hands it to the one gateway
(``channels.gateway``); the bot never sees XML or cookies. The gateway keeps the conversation store and the
hand-off queue that staff answer from the admin site.
"""
