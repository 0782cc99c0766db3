"""Data exchange with the city and provincial platforms (数据交换): one exchange record per (counterpart, record kind,
local id, direction), adapters declaring what each counterpart sends and receives, quarantine of bad inbound
records, daily reconciliation. The HTTP side (signing, sending, pulling) is channels/exchange's."""
