"""Which counterparts are connected, and how (settings: ``TONGBAN_EXCHANGE_COUNTERPARTS``)."""

from core.exchange.adapters import ADAPTERS, Adapter
from core.settings import CounterpartSettings, get_settings


def settings_of(code: str) -> CounterpartSettings | None:
    """The counterpart's settings when it is connected (listed, enabled, with an address); ``None`` otherwise."""
    found = get_settings().exchange_counterparts.get(code)
    if found is None or not found.enabled or not found.base_url:
        return None
    return found


def connected() -> list[Adapter]:
    """The adapters of the connected counterparts that take records over HTTP."""
    return [a for code, a in ADAPTERS.items() if a.pushes and settings_of(code) is not None]
