"""项目预警 (seed 4.9): warnings of cases, project nodes, milestones and coordination issues.

- ``subjects``: the open subjects of each kind, read set-based, and the SQL that writes their new warnings;
- ``scan``: the scan — levels from the thresholds (core/warning_settings) and a working-day index, one warning per
  state change, ended when the subject leaves the state, escalated once, announced once;
- ``settings``: 预警设置 managed (warning.manage), refused with Chinese messages when inconsistent;
- ``service``: reading by data scope, 签收 / 处理 / 销警, one's own open warnings;
- ``events``: warning.raised (a WeCom card with 签收), warning.escalated, warning.digest;
- ``scheduled``: the scan and the leaders' morning digest, both in the job list (core/jobs.py).
"""
