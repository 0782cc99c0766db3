"""项目预警: warning settings, the periodic scan that raises warnings once per state change, and their handling (seed 4.9)."""
