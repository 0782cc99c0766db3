"""投资建设项目: filings, derived flows, guidance letters.

The indicator catalogue a filer answers belongs to the rule engine, which types its conditions with it
(``core.rules.indicators``); the web pages still name it ``core.projects.indicators`` until they move.
"""

from core.rules import indicators as indicators
