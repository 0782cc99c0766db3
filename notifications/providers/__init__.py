"""Senders for each channel: WeCom app messages, WeChat Official Account template messages, the in-site inbox."""
