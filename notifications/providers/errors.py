"""What can go wrong when a provider sends, as three kinds the delivery loop treats differently."""


class DeliveryError(Exception):
    """A provider did not take the message; ``message`` says why in Chinese, for the admin site."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Retryable(DeliveryError):
    """Try again later: network error, HTTP 5xx, system busy, frequency limit."""


class TokenExpired(Retryable):
    """The access token was refused (40001 / 40014 / 42001): fetch a new one and try again at once."""


class Permanent(DeliveryError):
    """Trying again cannot help (unknown member, not following, bad message): mark failed with the reason."""
