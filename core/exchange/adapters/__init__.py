"""One adapter per counterpart: what it sends and receives, when, and how its records are made and applied.

Adapters here are pure domain code (fields, rules, what a received record changes); the HTTP side — signing,
sending, pulling — is channels/exchange's, so the core stays free of HTTP clients (ARCHITECTURE.md, layers).
"""

from core.exchange.adapters import city_feeds, data_center, four_certs, gov_service, investment, outdoor_ads
from core.exchange.adapters.base import Adapter, Unusable

ADAPTERS: dict[str, Adapter] = {
    a.code: a
    for a in (
        gov_service.ADAPTER,
        investment.ADAPTER,
        four_certs.ADAPTER,
        city_feeds.SMART_CITY,
        city_feeds.CITY_BRAIN,
        outdoor_ads.ADAPTER,
        data_center.ADAPTER,
    )
}

__all__ = ["ADAPTERS", "Adapter", "Unusable"]
