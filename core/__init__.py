"""The service core of Tongban: models, services, rules, API, settings and the command line.

`core` never imports `web`, `channels`, `knowledge` or `notifications`.
"""
