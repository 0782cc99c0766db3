"""预警设置 as stored: the thresholds per subject kind and department, and how they are read.

A low package on purpose: the cases domain reads the case threshold for its 正常/预警/逾期 time state, and the
early-warning domain (above cases and major projects) reads every kind's for its scan and manages them
(core/early_warnings/settings.py: validation, permissions, audit). Neither imports the other for this.
"""
