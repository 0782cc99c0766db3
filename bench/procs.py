"""The cluster's processes (scripts/cluster.sh writes each part's pid to ``run/NAME.pid``), each with its
children (nginx's workers, Celery's pool): resident memory and CPU time, read from /proc, for bench/load.py and
bench/soak.py."""

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(entry.name))
    return found


def _trees(run_dir: Path) -> dict[str, list[int]]:
    """Each part's pid and its descendants' (a part that is not running: no pids)."""
    tree = _children()
    parts: dict[str, list[int]] = {}
    for pid_file in sorted(run_dir.glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
        except ValueError:
            continue
        todo, pids = [pid] if Path(f"/proc/{pid}").exists() else [], []
        while todo:
            current = todo.pop()
            pids.append(current)
            todo += tree.get(current, [])
        parts[pid_file.stem] = pids
    return parts


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    """User + system time of the process, all its threads (not of its children, which are counted themselves)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def memory(run_dir: Path) -> dict[str, float]:
    """Resident memory (MiB) of each part, its child processes included."""
    return {name: sum(_rss_kib(p) for p in pids) / 1024 for name, pids in _trees(run_dir).items()}


def cpu(run_dir: Path) -> dict[str, float]:
    """CPU seconds each part (with its children) has used so far; differences of two readings are what a run cost."""
    return {name: sum(_cpu_ticks(p) for p in pids) / TICKS for name, pids in _trees(run_dir).items()}
