#!/usr/bin/env python3
"""The timing wheel against the 4-ary heap, from a JMH export of TimingWheelBenchmarks.

Prints the README's table (mean and p50 per operation, heap/wheel ratios) and writes an SVG
chart of the median (p50) time per operation against the number of pending deadlines, one
panel per benchmark, log scale on both axes. The median, because on a shared machine a mean
takes in every time the benchmark was preempted. Standard library only.

    python3 chart.py /tmp/timing-wheel/Current_run.jmh.json timing-wheel.svg
"""
import json
import math
import re
import sys

NAME = re.compile(r"^(insert-cancel|expiry)_n=(\d+)_(wheel|heap)$")
COLOURS = {"wheel": "#1f6feb", "heap": "#d1495b"}


def load(path):
    """{(benchmark, structure): {pending: (mean, p50)}} in ns per operation."""
    results = {}
    for element in json.load(open(path)):
        match = NAME.match(element["benchmark"].split(".")[-1])
        if not match:
            continue
        wall = element["secondaryMetrics"]["Time (wall clock)"]
        results.setdefault((match[1], match[3]), {})[int(match[2])] = (
            wall["score"], wall["scorePercentiles"]["50.0"])
    return results


def table(results):
    print("| benchmark | pending | wheel mean | wheel p50 | heap mean | heap p50 | heap / wheel (p50) | heap / wheel (mean) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for benchmark in ("insert-cancel", "expiry"):
        wheel, heap = results.get((benchmark, "wheel"), {}), results.get((benchmark, "heap"), {})
        for pending in sorted(set(wheel) & set(heap)):
            (wm, wp), (hm, hp) = wheel[pending], heap[pending]
            print(f"| {benchmark} | {pending:,} | {wm:,.0f} | {wp:,.0f} | {hm:,.0f} | {hp:,.0f} | {hp / wp:.1f} | {hm / wm:.1f} |")


def svg(results):
    width, height, panel_width = 760, 340, 340
    left, top, plot_width, plot_height = 60, 40, 250, 230
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for index, benchmark in enumerate(("insert-cancel", "expiry")):
        x0 = index * (panel_width + 40) + left
        series = {s: results.get((benchmark, s), {}) for s in ("wheel", "heap")}
        values = [p50 for points in series.values() for _, p50 in points.values()]
        pendings = sorted({p for points in series.values() for p in points})
        if not values:
            continue
        low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
        if high == low:
            high += 1
        lx, hx = math.log10(pendings[0]), math.log10(pendings[-1])

        def x(pending):
            return x0 + (math.log10(pending) - lx) / max(hx - lx, 1e-9) * plot_width

        def y(value):
            return top + plot_height - (math.log10(value) - low) / (high - low) * plot_height

        parts.append(f'<text x="{x0 + plot_width / 2}" y="{top - 16}" text-anchor="middle" '
                     f'font-weight="bold">{benchmark}, median ns per operation</text>')
        parts.append(f'<rect x="{x0}" y="{top}" width="{plot_width}" height="{plot_height}" '
                     f'fill="none" stroke="#888"/>')
        for decade in range(low, high + 1):
            for multiple in (1, 2, 5):
                value = multiple * 10 ** decade
                if 10 ** low <= value <= 10 ** high:
                    parts.append(f'<line x1="{x0}" x2="{x0 + plot_width}" y1="{y(value):.1f}" '
                                 f'y2="{y(value):.1f}" stroke="#eee"/>')
                    parts.append(f'<text x="{x0 - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>')
        for pending in pendings:
            parts.append(f'<text x="{x(pending):.1f}" y="{top + plot_height + 16}" text-anchor="middle">'
                         f'10<tspan dy="-5" font-size="9">{round(math.log10(pending))}</tspan></text>')
        parts.append(f'<text x="{x0 + plot_width / 2}" y="{top + plot_height + 36}" '
                     f'text-anchor="middle">pending deadlines</text>')
        for structure, points in series.items():
            coordinates = " ".join(f"{x(p):.1f},{y(points[p][1]):.1f}" for p in sorted(points))
            parts.append(f'<polyline points="{coordinates}" fill="none" stroke="{COLOURS[structure]}" '
                         f'stroke-width="2"/>')
            for p in sorted(points):
                parts.append(f'<circle cx="{x(p):.1f}" cy="{y(points[p][1]):.1f}" r="3" '
                             f'fill="{COLOURS[structure]}"/>')
        for row, structure in enumerate(("wheel", "heap")):
            label = "timing wheel" if structure == "wheel" else "indexed 4-ary heap"
            ly = top + 14 + row * 16
            parts.append(f'<line x1="{x0 + 8}" x2="{x0 + 28}" y1="{ly - 4}" y2="{ly - 4}" '
                         f'stroke="{COLOURS[structure]}" stroke-width="2"/>')
            parts.append(f'<text x="{x0 + 32}" y="{ly}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    results = load(sys.argv[1])
    table(results)
    with open(sys.argv[2], "w") as out:
        out.write(svg(results))
