"""Where a year stands in the chain, and which step waits on a paused DAG or a missing connection."""

from __future__ import annotations

from html.parser import HTMLParser

from kinerja.web.chain import (
    BELUM,
    BERJALAN,
    DITOLAK,
    GAGAL,
    MENUNGGU,
    SEBAGIAN,
    SELESAI,
    PipelineState,
    RunState,
    chain_steps,
    render_chain,
)


def _states(steps) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {s.key: s.state for s in steps}


def test_a_backfilled_year_waiting_for_review() -> None:
    build = RunState(
        "asset_triggered__1", "running", {"build_reports": "success", "review_reports": "awaiting_input"}
    )
    steps = chain_steps(2022, 40, 86, PipelineState(runs={"compile_reports": build}), None)
    assert _states(steps) == {
        "collected": SEBAGIAN,
        "built": SELESAI,
        "review": MENUNGGU,
        "published": BELUM,
        "synced": BELUM,
    }
    assert "Required Actions" in steps[2].detail
    assert steps[0].detail == "40 dari 86 laporan wajib masuk valid"
    assert not any(s.blocked for s in steps)


def test_paused_dags_and_a_missing_portal_connection_are_named_with_the_fix() -> None:
    state = PipelineState(
        paused=frozenset({"compile_reports", "sync_satu_data"}),
        missing_connections=frozenset({"satu_data_ckan"}),
    )
    steps = {s.key: s for s in chain_steps(2022, 10, 86, state, None)}
    assert steps["built"].state == BELUM
    assert "compile_reports" in (steps["built"].blocked or "") and "airflow dags unpause compile_reports" in (
        steps["built"].blocked or ""
    )
    synced = steps["synced"].blocked or ""
    assert "airflow dags unpause sync_satu_data" in synced
    assert (
        "connection satu_data_ckan belum dibuat" in synced
        and "airflow connections add satu_data_ckan" in synced
    )
    assert steps["collected"].blocked is None  # collect_submissions runs


def test_approved_published_and_synced_or_rejected_or_failed() -> None:
    build = RunState(
        "r1",
        "success",
        {"build_reports": "success", "review_reports": "success", "publish_reports": "success"},
    )
    sync = RunState("s1", "success", {"publish_to_portal": "success"})
    done = chain_steps(
        2025,
        108,
        108,
        PipelineState(runs={"compile_reports": build, "sync_satu_data": sync}),
        ("disetujui", None),
    )
    assert set(_states(done).values()) == {SELESAI}
    # a paused consumer does not matter once its step is done
    paused = PipelineState(
        paused=frozenset({"sync_satu_data"}), runs={"compile_reports": build, "sync_satu_data": sync}
    )
    assert not any(s.blocked for s in chain_steps(2025, 90, 108, paused, ("disetujui", None)))

    rejected = RunState(
        "r2",
        "success",
        {"build_reports": "success", "review_reports": "success", "publish_reports": "skipped"},
    )
    steps = chain_steps(
        2025, 90, 108, PipelineState(runs={"compile_reports": rejected}), ("ditolak", "Data belum konsisten")
    )
    assert _states(steps)["review"] == DITOLAK and "Data belum konsisten" in steps[2].detail
    assert _states(steps)["published"] == BELUM

    failed = RunState("r3", "failed", {"build_reports": "failed"})
    assert (
        _states(chain_steps(2025, 90, 108, PipelineState(runs={"compile_reports": failed}), None))["built"]
        == GAGAL
    )
    running = RunState("r4", "running", {"build_reports": "running"})
    assert (
        _states(chain_steps(2025, 90, 108, PipelineState(runs={"compile_reports": running}), None))["built"]
        == BERJALAN
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            a = dict(attrs)
            self.items.append((a["data-langkah"] or "", a["data-state"] or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_render_lists_the_five_steps_in_order_escaped() -> None:
    state = PipelineState(missing_connections=frozenset({"satu_data_ckan"}))
    steps = chain_steps(2022, 0, 86, state, ("ditolak", "<script>alert(1)</script>"))
    html_text = render_chain(2022, steps)
    assert "<script>" not in html_text
    parser = _Text()
    parser.feed(html_text)
    assert [k for k, _ in parser.items] == ["collected", "built", "review", "published", "synced"]
    assert "<script>alert(1)</script>" in "".join(parser.text)  # shown as text
    assert render_chain(2022, []) == ""
