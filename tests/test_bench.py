"""Every benchmark runs end to end on both stores, at a tiny size, so the
commands the README quotes keep working. (The figures themselves come from
full-size runs, see README "Measured"; nothing is timed here.)"""

from __future__ import annotations

import re

import pytest

from bench import (
    api_latency,
    archive_extract,
    breaches,
    bundle,
    case_cache,
    demo_rate,
    notifications,
    report_time,
    verify,
    web_case,
    web_overview,
)

NUMBER = r"[\d,]+(?:\.\d+)?"


def rows(output: str, store: str) -> list[list[str]]:
    return [line.split() for line in output.splitlines() if line.startswith(store)]


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_case_cache_bench_prints_a_ratio_per_size(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    case_cache.main(["--sizes", "20,60", "--commands", "3", "--store", store])
    printed = rows(capsys.readouterr().out, store)
    assert [row[1] for row in printed] == ["20", "60"]
    for row in printed:
        uncached, cached, ratio = (float(x) for x in row[2:5])
        assert uncached > 0 and cached > 0
        # All three are printed to one decimal, the ratio computed before rounding: it lies within
        # what the rounded times allow (at a few ms, 2.4 / 1.2 may well print a ratio of 2.1).
        low, high = (uncached - 0.05) / (cached + 0.05), (uncached + 0.05) / (cached - 0.05)
        assert low - 0.05 <= ratio <= high + 0.05, row


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_report_bench_renders_every_format(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    report_time.main(["--meetings", "2", "--evaluations", "3", "--runs", "1", "--store", store])
    out = capsys.readouterr().out
    printed = [row for row in rows(out, store) if not row[1].startswith("(")]
    assert [row[1] for row in printed] == ["json", "html", "pdf"]
    assert all(int(row[-1].replace(",", "")) > 0 for row in printed)  # bytes rendered
    assert re.search(
        rf"{store}\s+\(the case's {NUMBER} events were written through the command path in {NUMBER} s\)", out
    )


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_demo_rate_bench_counts_events(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    demo_rate.main(["--cases", "6", "--store", store])
    (row,) = rows(capsys.readouterr().out, store)
    assert int(row[1]) >= 6 and int(row[2]) > int(row[1]) and float(row[4]) > 0


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_bundle_bench_exports_renders_and_verifies(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    bundle.main(["--events", "30", "--store", store])
    (row,) = rows(capsys.readouterr().out, store)
    assert int(row[1]) >= 30 and all(float(x.replace(",", "")) > 0 for x in row[2:])


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_breaches_bench_measures_against_its_baseline(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    breaches.main(["--cases", "12", "--runs", "2", "--store", store])
    out = capsys.readouterr().out
    assert re.search(rf"baseline: judge every case on demand\s+{NUMBER} ms", out)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_api_latency_bench_serves_real_requests(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    api_latency.main(["--requests", "5", "--store", store])
    kinds = {" ".join(row[1:-3]) for row in rows(capsys.readouterr().out, store)}
    assert kinds == {"health (baseline)", "case read", "command"}


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_verify_bench_verifies_the_ledger_and_prints_a_ratio(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    verify.main(["--events", "120", "--cases", "12", "--runs", "1", "--store", store])
    (row,) = rows(capsys.readouterr().out, store)
    assert int(row[1].replace(",", "")) == 120 and float(row[2]) > 0 and float(row[3]) > 0 and float(row[4]) > 0


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_archive_extract_bench_measures_against_its_baseline(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    archive_extract.main(["--cases", "2", "--store", store])
    out = capsys.readouterr().out
    for what in (r"json reports \(baseline\)", "archive extract"):
        found = re.search(rf"^{store}\s+{what}\s+2\s+({NUMBER})\s+({NUMBER})\s", out, re.MULTILINE)
        assert found is not None, out
        assert float(found.group(1)) > 0 and float(found.group(2)) > 0
    assert re.search(rf"^{store}\s+archive extract .* 10 documents", out, re.MULTILINE)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_notifications_bench_decides_and_delivers_against_its_baselines(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notifications.main(["--base", "6", "--cases", "12", "--store", store])
    out = capsys.readouterr().out
    assert "scaled to 12 cases" in out
    deciding = re.search(rf"{store}\s+deciding\s+12 cases.*ratio\s+({NUMBER})\s+decided\s+(\d+).*decisions/s", out)
    delivering = re.search(rf"{store}\s+delivering\s+(\d+) webhooks.*raw POSTs\s+{NUMBER} /s\s+ratio\s+{NUMBER}", out)
    assert deciding and delivering, out
    assert int(deciding.group(2)) > 0 and int(delivering.group(1)) > 0


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_web_overview_bench_measures_the_page_against_its_reads(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    # --analyze: PostgreSQL's store is vacuumed and analysed before measuring (SQLite ignores it).
    web_overview.main(["--cases", "12", "--runs", "2", "--store", store, "--analyze"])
    out = capsys.readouterr().out
    assert re.search(rf"GET /oversikt \(first page\)\s+median\s+{NUMBER} ms\s+p95\s+{NUMBER} ms", out)
    assert re.search(rf"baseline: the page's reads, no HTML\s+median\s+{NUMBER} ms", out)
    assert re.search(rf"the page's p95 is {NUMBER}× its reads' p95", out)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_web_case_bench_renders_the_case_page_against_the_json_read(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    web_case.main(["--meetings", "3", "--evaluations", "2", "--requests", "4", "--store", store])
    out = capsys.readouterr().out
    for what in (r"json case \(baseline\)", "case page"):
        found = re.search(rf"^{store}\s+{what}\s+(\d+)\s+4\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})$", out, re.M)
        assert found is not None, out
        assert int(found.group(1)) > 30 and float(found.group(2)) > 0 and float(found.group(4)) > 0
    assert re.search(rf"^{store}\s+\(the page is [\d,]+ bytes of HTML\)", out, re.M)
