"""One scanning process for tests/early_warnings/test_concurrent_scan.py: waits for the agreed moment (so that two
of them start together), scans with the clock fixed at the given time, and prints what it did."""

import sys
import time
from datetime import datetime

from core import clock
from core.early_warnings import scheduled


def main() -> None:
    moment, start_at = datetime.fromisoformat(sys.argv[1]), float(sys.argv[2])
    clock.freeze(moment)
    while time.time() < start_at:
        time.sleep(0.001)
    done = scheduled.scan(moment)
    print(f"raised={done.raised} ended={done.ended} escalated={done.escalated} announced={done.announced}", flush=True)


if __name__ == "__main__":
    main()
