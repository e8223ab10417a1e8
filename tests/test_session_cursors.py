"""Many browser sessions open their cursors at once (each Streamlit session runs in its own
thread on the process's one connection). Found by the 10-session load test: some sessions
failed with "'NoneType' object is not subscriptable" because two threads ran a query on the
shared connection at the same moment and one read the other's consumed result."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from warehouse import open_warehouse
from warehouse.connection import session_cursor


def test_cursors_opened_from_many_threads_at_once_all_use_the_warehouse(empty_lake):
    con = open_warehouse(empty_lake)
    expected = con.execute("SELECT current_database()").fetchone()[0]

    def open_one(_: int) -> str:
        cursor = session_cursor(con)
        try:
            return cursor.execute("SELECT current_database()").fetchone()[0]
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        catalogs = list(pool.map(open_one, range(400)))
    con.close()
    assert catalogs == [expected] * 400
