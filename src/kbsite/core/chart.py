"""core: pure. The geometry of the progress-over-time chart (done and total notes per week).

Only numbers and short labels come out; the template ``kbsite/partials/progress-chart.html``
turns them into an inline SVG (no script, no CDN).
"""

from __future__ import annotations

from typing import Any, Sequence

from kbsite.core.history import WeekPoint

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 30


def _nice_max(value: int) -> int:
    """The smallest 1/2/5 × 10^n at or above ``value`` (at least 5)."""
    value = max(value, 5)
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def progress_chart(weeks: Sequence[WeekPoint], width: int = WIDTH, height: int = HEIGHT) -> dict[str, Any]:
    """Polyline points, axis ticks and labels for ``weeks`` (oldest first, at least one)."""
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    top = _nice_max(max(w.total for w in weeks))
    n = len(weeks)

    def x(i: int) -> float:
        return round(LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: int) -> float:
        return round(TOP + plot_h * (1 - v / top), 1)

    total = [(x(i), y(w.total)) for i, w in enumerate(weeks)]
    done = [(x(i), y(w.done)) for i, w in enumerate(weeks)]
    base = y(0)
    area = [(total[0][0], base), *done, (done[-1][0], base)]
    ticks = [{"y": y(v), "label": str(v)} for v in (0, top // 2, top)]
    # At most ~6 date labels, always the first and the last week.
    every = max(1, -(-n // 6))
    labels = [{"x": x(i), "label": w.week.strftime("%m-%d") if i else w.week.isoformat()}
              for i, w in enumerate(weeks) if i % every == 0 or i == n - 1]
    last = weeks[-1]
    return {
        "width": width, "height": height, "left": LEFT, "right": width - RIGHT, "top": TOP, "base": base,
        "total_points": " ".join(f"{a},{b}" for a, b in total),
        "done_points": " ".join(f"{a},{b}" for a, b in done),
        "done_area": " ".join(f"{a},{b}" for a, b in area),
        # One week is no line: draw its two points instead.
        "dots": ([{"x": a, "y": b, "kind": "total"} for a, b in total]
                 + [{"x": a, "y": b, "kind": "done"} for a, b in done]) if n == 1 else [],
        "ticks": ticks,
        "labels": labels,
        "first": weeks[0].week.isoformat(),
        "last": last.week.isoformat(),
        "last_total": last.total,
        "last_done": last.done,
        "weeks": n,
        "rows": [{"week": w.week.isoformat(), "total": w.total, "done": w.done} for w in weeks],
    }
