"""Cases (办件): applications handled step by step, with time limits, publicity and statistics."""
