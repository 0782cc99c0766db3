"""投资建设项目: filings, derived flows, guidance letters."""
