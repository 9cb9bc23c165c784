"""The benchmark's printout: one table of figures (the JSON has them all)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_bench"]


def _latency_rows(table: Table, label: str, latency: dict[str, dict[str, float]]) -> None:
    for path, figures in latency.items():
        if not figures["count"]:
            continue
        table.add_row(
            f"{label}: {path}",
            f"p50 {figures['p50_ms']:,.0f} / p95 {figures['p95_ms']:,.0f} / "
            f"p99 {figures['p99_ms']:,.0f} ms",
            f"{figures['count']:,} dossiers",
        )


def print_bench(result: dict[str, Any], console: Console) -> None:
    """Print the figures of one benchmark run."""
    run, base = result["throughput"], result["baseline"]
    host = result["machine"]
    table = Table(title="portalsim bench", show_lines=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("note")
    table.add_row(
        "machine",
        f"{host['cores']} cores, {host['memory_gb']} GB",
        f"load {host['load_average']} -> {host['load_average_end']}",
    )
    table.add_row(
        "dossiers settled",
        f"{run['settled']:,} / {run['dossiers']:,}",
        "TIMED OUT" if run["timed_out"] else f"outcomes {run['outcomes']}",
    )
    table.add_row(
        "dossiers settled / s",
        f"{run['dossiers_per_second']:,.0f}",
        f"{run['seconds_to_last_settlement']:,.1f} s to the last settlement",
    )
    table.add_row(
        "events / s (all topics)",
        f"{run['events_per_second']:,.0f}",
        f"{run['events']:,} events in {run['pipeline_seconds']:,.1f} s",
    )
    cpu = run["cpu_ms_per_dossier"]
    table.add_row(
        "CPU per dossier",
        f"{cpu['services']:.2f} ms",
        f"four services; {cpu['with_kafka']:.2f} ms with the broker, "
        f"{cpu['bench']:.2f} ms the bench",
    )
    _latency_rows(table, "latency at peak", run["latency_ms"])
    for name, figures in run["resources"].items():
        table.add_row(
            f"{name}",
            f"{figures['cpu_seconds']:,.1f} CPU s",
            f"peak RSS {figures['peak_rss_mb']:,.0f} MB in the run "
            f"({figures['peak_rss_since_start_mb']:,.0f} MB since start)",
        )
    lag = run["consumer_lag"]
    table.add_row("largest consumer lag", f"{lag['max']:,}", str(lag["max_per_group"]))
    table.add_row(
        "raw-Kafka baseline",
        f"{base['seconds']:,.2f} s",
        f"{base['records']:,} records, {base['records_per_second']:,.0f}/s",
    )
    table.add_row("pipeline / baseline", f"{result['ratio_pipeline_to_baseline']:,.1f}x", "")
    paced = result.get("latency_run")
    if paced:
        table.add_row(
            "latency run",
            f"{paced['rate_achieved']:,.0f}/s offered",
            f"{paced['settled']:,} / {paced['dossiers']:,} settled",
        )
        _latency_rows(table, "latency at rate", paced["latency_ms"])
    http = result.get("http")
    if http:
        table.add_row(
            "HTTP path settled / s",
            f"{http['dossiers_per_second']:,.0f}",
            f"{result['http_to_injected']:.0%} of the injected path; {http['settled']:,} / "
            f"{http['dossiers']:,} settled, {http['concurrency']:,} applicants in flight, "
            f"{http['requests_per_second']:,.0f} requests/s",
        )
        cpu = http["cpu_ms_per_dossier"]
        table.add_row(
            "CPU per HTTP dossier",
            f"{cpu['services']:.2f} ms",
            f"four services; {cpu['with_kafka']:.2f} ms with the broker, "
            f"{cpu['bench']:.2f} ms the bench (the applicants' driver)",
        )
    memory = result.get("memory")
    if memory:
        table.add_row(
            "bench peak RSS",
            f"{memory['bench_peak_rss_mb']:,.0f} MB",
            f"workload worker (the population, the demand) "
            f"{memory['workload_worker_peak_rss_mb']:,.0f} MB",
        )
    signing = result.get("signing")
    if signing:
        table.add_row(
            "sign / verify one event",
            f"{signing['sign']['us']:,.0f} / {signing['verify']['us']:,.0f} us",
            f"{signing['sign']['per_second']:,} / {signing['verify']['per_second']:,} per s; "
            f"run {'signed' if signing['run_signed'] else 'UNSIGNED'}",
        )
        table.add_row(
            "sign / verify in batches",
            f"{signing['sign_in_batches']['us']:,.0f} / "
            f"{signing['verify_in_batches']['us']:,.0f} us",
            "an event signed with 63 others, as services publish "
            f"({signing['mean_bytes_signed_in_batches']:,} bytes)",
        )
        table.add_row(
            "read one signed event",
            f"{signing['read_signed_one_parse']['us']:,.0f} us",
            f"two parses {signing['read_signed_two_parses']['us']:,.0f} us; unsigned "
            f"{signing['read_unsigned']['us']:,.0f} us",
        )
    tracing = result.get("tracing")
    if tracing:
        rate, cpu = tracing["dossiers_per_second"], tracing["cpu_ms_per_dossier"]
        table.add_row(
            "tracing off / on",
            f"{rate['off']:,.0f} / {rate['on']:,.0f} dossiers/s",
            f"cost {100 * (tracing['throughput_cost'] or 0):.1f} % of throughput; CPU "
            f"{cpu['off']:.2f} / {cpu['on']:.2f} ms a dossier; "
            f"{tracing['spans_per_dossier_on']} spans a dossier (sampled at "
            f"{tracing['sample_ratio']:g})",
        )
    population = result["population"]
    table.add_row(
        "population_db",
        f"{population['size']:,} people",
        f"seeded in {population.get('seed_seconds')} s; restart "
        f"{population.get('restart_seconds')} s, reseeded: "
        f"{population.get('reseeded_on_restart')}",
    )
    console.print(table)
