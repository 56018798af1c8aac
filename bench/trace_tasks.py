"""What the renderer's long tasks (> 50 ms) spent their time on, from a Chrome trace.

``bench/browser_grid.py --trace FILE`` records one (Playwright's ``start_tracing``: the
``devtools.timeline`` and ``v8`` categories). For every task on the page's main thread
longer than ``threshold_ms``, the events inside it get their *self* time (their duration
less their children's, on the same thread), summed per event name: ``FunctionCall`` (our
script), ``UpdateLayoutTree`` (style), ``Layout``, ``Paint``, ``MinorGC``/``MajorGC``…

    python bench/trace_tasks.py trace.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TASKS = {"RunTask", "ThreadControllerImpl::RunTask"}


def main_thread(events: list[dict[str, Any]]) -> tuple[int, int]:
    """(pid, tid) of the page's renderer main thread: the CrRendererMain with most events."""
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    counts = {key: 0 for key in mains}
    for e in events:
        key = (e.get("pid"), e.get("tid"))
        if key in counts:
            counts[key] += 1
    return max(counts, key=lambda k: counts[k])


def long_tasks(events: list[dict[str, Any]], threshold_ms: float = 50.0) -> list[dict[str, Any]]:
    """Each long task's duration and its events' self time per name (ms), biggest first."""
    pid, tid = main_thread(events)
    mine = sorted(
        (e for e in events if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"),
        key=lambda e: (e["ts"], -e.get("dur", 0)),
    )
    out = []
    for task in (e for e in mine if e["name"] in TASKS and e.get("dur", 0) > threshold_ms * 1000):
        start, end = task["ts"], task["ts"] + task["dur"]
        inside = [e for e in mine if start <= e["ts"] < end and e is not task]
        self_us: dict[str, float] = {}
        stack: list[dict[str, Any]] = []
        for e in inside:
            while stack and stack[-1]["ts"] + stack[-1].get("dur", 0) <= e["ts"]:
                stack.pop()
            dur = e.get("dur", 0)
            if stack:
                parent = stack[-1]["name"]
                self_us[parent] = self_us.get(parent, 0.0) - dur
            self_us[e["name"]] = self_us.get(e["name"], 0.0) + dur
            stack.append(e)
        ranked = sorted(self_us.items(), key=lambda kv: -kv[1])
        out.append(
            {
                "ms": round(task["dur"] / 1000, 1),
                "self_ms": {name: round(us / 1000, 1) for name, us in ranked[:8] if us >= 500},
            }
        )
    return out


def main_thread_cpu(events: list[dict[str, Any]], top: int = 10) -> dict[str, Any]:
    """The page's main thread CPU time (``tdur``: thread time, so less sensitive to a loaded
    machine than wall time), in all and as self time per event name (ms)."""
    pid, tid = main_thread(events)
    mine = sorted(
        (
            e
            for e in events
            if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X" and "tdur" in e
        ),
        key=lambda e: (e["ts"], -e.get("dur", 0)),
    )
    self_us: dict[str, float] = {}
    total = 0.0
    stack: list[dict[str, Any]] = []
    for e in mine:
        while stack and stack[-1]["ts"] + stack[-1].get("dur", 0) <= e["ts"]:
            stack.pop()
        if stack:
            parent = stack[-1]["name"]
            self_us[parent] = self_us.get(parent, 0.0) - e["tdur"]
        else:
            total += e["tdur"]
        self_us[e["name"]] = self_us.get(e["name"], 0.0) + e["tdur"]
        stack.append(e)
    ranked = sorted(self_us.items(), key=lambda kv: -kv[1])[:top]
    return {"total_ms": round(total / 1000), "self_ms": {k: round(v / 1000) for k, v in ranked}}


def invalidations(events: list[dict[str, Any]], top: int = 12) -> list[dict[str, Any]]:
    """What made style and layout dirty: (kind, node, reason) counted, most frequent first
    (the ``disabled-by-default-devtools.timeline.invalidationTracking`` category)."""
    counts: dict[tuple[str, str, str], int] = {}
    for e in events:
        name = e.get("name", "")
        if not name.endswith("InvalidationTracking"):
            continue
        data = e.get("args", {}).get("data", {})
        node = str(data.get("nodeName", ""))[:60]
        reason = str(
            data.get("reason") or data.get("changedAttribute") or data.get("changedClass") or ""
        )
        key = (name.removesuffix("InvalidationTracking"), node, reason)
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
    return [{"kind": k, "node": n, "reason": r, "count": c} for (k, n, r), c in ranked]


def load(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text())
    return data["traceEvents"] if isinstance(data, dict) else data


if __name__ == "__main__":
    trace = load(Path(sys.argv[1]))
    for task in long_tasks(trace):
        print(json.dumps(task))
    for row in invalidations(trace):
        print(json.dumps(row))
    print(json.dumps(main_thread_cpu(trace)))
