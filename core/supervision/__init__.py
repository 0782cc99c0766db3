"""审管衔接 (supervision): approval results pushed to supervising departments, claimed, fed back and chased.

- ``configs``: per service item, which departments receive the result and which of its fields (推送配置);
- ``service``: the push made when a licensed case concludes, its claim (认领) and feedback (监管反馈);
- ``scheduled``: the chasing scan (催办) that escalates pushes unclaimed or unanswered for too long;
- ``comparison``: item information comparison (事项信息比对) against an imported Excel list;
- ``stats``: pushed, claimed, fed back and overdue by department, item and month, with an Excel export.
"""
