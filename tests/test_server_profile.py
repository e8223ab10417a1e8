"""The sessions benchmark's profile summary: shares of folded py-spy stacks."""

from benchmarks.server_profile import summarise


def test_summary_attributes_each_sample_to_its_innermost_known_part(tmp_path):
    folded = tmp_path / "server-a.folded"
    folded.write_text(
        # 6 samples: a page building a chart, the innermost known frame is Plotly's.
        "run (streamlit/runner.py:10);page (/repo/dashboard/views/overview.py:5);"
        "to_json (plotly/io/_json.py:3) 6\n"
        # 3 samples: our read waiting on DuckDB, under Streamlit's cache.
        "run (streamlit/runner.py:10);cached (streamlit/runtime/caching/cache.py:2);"
        "latest (/repo/warehouse/analytics/latest.py:90) 3\n"
        # 1 sample: the web server, none of our code.
        "serve (tornado/web.py:1) 1\n"
        # 2 samples: a pool thread waiting for work, which py-spy counted as active.
        "_bootstrap (threading.py:1);_worker (concurrent/futures/thread.py:80) 2\n"
        "not a stack line\n"
    )
    profile = summarise(folded)
    assert profile.samples == 12
    assert dict(profile.parts) == {
        "Plotly figures (build and JSON)": 6,
        "our warehouse reads (mostly waiting on DuckDB)": 3,
        "Tornado web server and websockets": 1,
        "waiting (blocked threads: pools, selectors, the config poller)": 2,
    }
    assert dict(profile.own_functions) == {
        "page (dashboard/views/overview.py)": 6,
        "latest (warehouse/analytics/latest.py)": 3,
    }
    assert profile.lines("a")[0] == "server a: 12 samples"
    assert "   50.0%  Plotly figures (build and JSON)" in profile.lines("a")
