"""The HTTP side of data exchange (core/exchange): signed requests to the city and provincial platforms, the
delivery workers, the pulls of their records, acknowledgements and reconciliation figures, and the signed pushes of
their records to us (push.py)."""
