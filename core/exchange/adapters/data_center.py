"""行政审批数据中心: a full export of items, cases and projects in open formats (CSV and JSON, with a data
dictionary), or the records changed since a given time (core/exchange/export.py). Files, not HTTP records."""

from core.exchange.adapters.base import Adapter

ADAPTER = Adapter(
    code="data_center",
    sends=("item", "case", "project"),
    receives=(),
    when="按需导出全量，或按变更时间增量导出（CSV、JSON，附数据字典）",
    pushes=False,
)
