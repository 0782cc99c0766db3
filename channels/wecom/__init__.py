"""The WeCom (企业微信) app: its callback, decision cards and approving a case from a card."""
