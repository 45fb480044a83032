"""Figures of one benchmark run, as bench/lib.sh writes them (key=value lines), and how a table cell sums up
repeated runs: the median, with the spread (min–max) in brackets. Imported by the report step of
bench/tap-benchmark.sh and bench/sync-benchmark.sh."""

import statistics

MB = 1_000_000
MIB = 1024 * 1024


class Figures:
    def __init__(self, path):
        self.values = {}
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                key, _, value = line.rstrip("\n").partition("=")
                self.values[key] = value
        self.runs = int(self.values.get("runs", "1"))

    def text(self, key, default=""):
        return self.values.get(key, default)

    def num(self, key):
        try:
            return float(self.values.get(key, ""))
        except ValueError:
            return None

    def ok(self, name):
        """True when the command measured as NAME exited with status 0."""
        return self.values.get(f"{name}_status") == "0"

    def per_run(self, name, field):
        """FIELD of NAME_r1 … NAME_rN: one value per run, None where a run recorded none."""
        return [self.num(f"{name}_r{run}_{field}") for run in range(1, self.runs + 1)]

    def failed_runs(self, name):
        """Runs of NAME whose command did not exit with status 0."""
        return [run for run in range(1, self.runs + 1) if not self.ok(f"{name}_r{run}")]


def present(values):
    return [v for v in values if v is not None]


def median(values):
    values = present(values)
    return statistics.median(values) if values else None


def stat(values, fmt="{:.2f}", unit=""):
    """'1.23 s (1.20–1.31)': the median of the runs, then their min–max; a single run is shown alone."""
    values = present(values)
    if not values:
        return "not measured"
    mid = fmt.format(statistics.median(values)) + unit
    if len(values) == 1:
        return mid
    return f"{mid} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def ratios(numerators, denominators):
    """Run-by-run ratios of two series measured in the same rounds (None where either is missing)."""
    return [n / d if n is not None and d else None for n, d in zip(numerators, denominators)]


def rates(amount, seconds):
    """AMOUNT per second for each run's SECONDS."""
    return [amount / s if s else None for s in seconds]


def runs_note(figures, name):
    failed = figures.failed_runs(name)
    return "" if not failed else f" — **run {', '.join(map(str, failed))} failed**"


class Table:
    def __init__(self):
        self.lines = ["| Benchmark | Result | Target | Met |", "|---|---|---|---|"]

    def row(self, name, result, target="", met=None):
        shown = "" if met is None else ("yes" if met else "**no**")
        self.lines.append(f"| {name} | {result} | {target} | {shown} |")

    def __str__(self):
        return "\n".join(self.lines)
