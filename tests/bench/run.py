"""`make bench`: the performance benchmark of the lead addons.

Runs every benchmark of this folder in one Odoo process on the given database
(the addons installed, no demo data), prints one table of figures, each ratio
with its bound, and exits non-zero when a figure is over its bound. The
scoring benchmark leaves its data in that database, made for the benchmark.
The concurrency benchmark (a multi-process Odoo serving salespeople during a
rescoring, see bench_concurrency.py) and the scale benchmark (scoring at
100,000 then 1,000,000 leads, see bench_scale.py) run only when asked with
--only, each alone.

    python tests/bench/run.py --config .run/test/odoo.conf --database lead_crm_bench
"""

import argparse
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_concurrency  # noqa: E402
import bench_conversion  # noqa: E402
import bench_engagement  # noqa: E402
import bench_evaluation  # noqa: E402
import bench_install  # noqa: E402
import bench_scale  # noqa: E402
import bench_scoring  # noqa: E402

# conversion first: it rolls back what it creates, scoring commits its data;
# install works on databases of its own
BENCHMARKS = {
    "conversion": bench_conversion,
    "scoring": bench_scoring,
    "install": bench_install,
    "concurrency": bench_concurrency,
    "scale": bench_scale,
    "evaluation": bench_evaluation,
    "engagement": bench_engagement,
}
#: run only when named by --only, alone (their own data, long runs)
ON_REQUEST = {"concurrency", "scale", "evaluation", "engagement"}


class Table:
    """Collects the figures and prints them as they come, then as a table."""

    def __init__(self):
        self.rows = []

    def report(self, name, value, unit="", bound=None, ok=True):
        self.rows.append((name, value, unit, bound, ok))
        print(f"  {name}: {value} {unit}", flush=True)

    def report_all(self, results):
        """Report each (name, value, unit, bound, ok) of ``results``; whether
        they are all within their bounds."""
        for name, value, unit, bound, ok in results:
            self.report(
                name,
                round(value, 2) if isinstance(value, float) else value,
                unit=unit,
                bound=bound,
                ok=ok,
            )
        return all(ok for *__, ok in results)

    def print(self):
        width = max(len(row[0]) for row in self.rows)
        print()
        print(f"{'figure':<{width}}  {'value':>12}  {'bound':>10}  result")
        print("-" * (width + 34))
        for name, value, unit, bound, ok in self.rows:
            shown = f"{value} {unit}".strip()
            limit = "" if bound is None else str(bound)
            result = "" if bound is None else ("ok" if ok else "OVER BOUND")
            print(f"{name:<{width}}  {shown:>12}  {limit:>10}  {result}")


def _machine():
    cores = os.cpu_count()
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        memory = int(meminfo.readline().split()[1]) / 1024 / 1024
    return (
        f"{platform.processor() or platform.machine()}, {cores} cores, {memory:.0f} GiB"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument(
        "--only", choices=sorted(BENCHMARKS), action="append", help="run only these"
    )
    parser.add_argument(
        "--leads",
        type=int,
        help=f"leads of the scoring data (default {bench_scoring.LEADS}), of the "
        f"concurrency data (default {bench_concurrency.LEADS}) or the largest "
        f"size of the scale benchmark (default {bench_scale.LEADS})",
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=bench_concurrency.IDLE_SECONDS,
        help="concurrency: length of the phase without rescoring",
    )
    parser.add_argument(
        "--install-leads",
        default=",".join(str(size) for size in bench_install.SIZES),
        help="leads of the crm databases of the install benchmark, e.g. 1000,5000",
    )
    args = parser.parse_args(argv)
    if args.only and ON_REQUEST & set(args.only) and len(set(args.only)) > 1:
        parser.error(
            f"--only {' / '.join(sorted(ON_REQUEST & set(args.only)))} runs alone "
            "(it makes its own data)"
        )

    import odoo  # noqa: PLC0415 - imported once the path is set
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    odoo.netsvc.init_logger()
    registry = odoo.modules.registry.Registry(args.database)
    print(f"Machine: {_machine()}; PostgreSQL and Odoo on the same machine")
    table, ok = Table(), True
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SHOW server_version")
        print(f"PostgreSQL {cr.fetchone()[0]}, Odoo {odoo.release.version}")
        for name, module in BENCHMARKS.items():
            if name not in (args.only or set(BENCHMARKS) - ON_REQUEST):
                continue
            print(f"{name}:", flush=True)
            start = time.perf_counter()
            if name == "scoring":
                leads = args.leads or bench_scoring.LEADS
                results = module.run(env, leads=leads)
            elif name == "concurrency":
                results = module.run(
                    env,
                    config=args.config,
                    leads=args.leads or bench_concurrency.LEADS,
                    idle_seconds=args.idle_seconds,
                )
            elif name == "scale":
                results = module.run(env, leads=args.leads or bench_scale.LEADS)
            elif name == "evaluation":
                results = module.run(env, leads=args.leads or bench_evaluation.LEADS)
            elif name == "engagement":
                results = module.run(
                    env, leads=args.leads or bench_engagement.LEADS, config=args.config
                )
            elif name == "install":
                sizes = [int(size) for size in args.install_leads.split(",")]
                results = module.run(env, sizes=sizes)
            else:
                results = module.run(env)
            ok &= table.report_all(results)
            print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)
        cr.rollback()
    table.print()
    print()
    print(
        "all figures within their bounds"
        if ok
        else "SOME FIGURES ARE OVER THEIR BOUNDS"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
