"""WeChat Official Account (公众号): the callback (plain and safe mode), the answer as text, and the
customer-service message API for answers that come after the reply window."""
