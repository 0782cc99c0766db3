"""Working days and time limits (时限): the State Council holiday table, 调休 and paused clocks."""
