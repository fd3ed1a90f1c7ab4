"""The sweep site's server limit (SweepWeb serve_at_most), as bench/link_sweep.py relies on it: real HTTP clients
sending at once, counted by the server."""

from __future__ import annotations

import http.client
import threading
import time

import pytest

from monitor.simweb.sweepsite import SweepWeb, generate_sweep_site

LATENCY = 0.2


def six_at_once(web: SweepWeb) -> tuple[list[int], float]:
    """Six clients, each on its own connection, sending one GET at the same moment: (statuses, seconds)."""
    statuses: list[int] = []
    ready = threading.Barrier(6)

    def get(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
        try:
            conn.connect()
            ready.wait()
            conn.request("GET", "/" if i == 0 else f"/zt/d1/p{i % 2}.html")
            statuses.append(conn.getresponse().status)
        finally:
            conn.close()

    threads = [threading.Thread(target=get, args=(i,)) for i in range(6)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses, time.monotonic() - start


@pytest.mark.parametrize("limit", [2, 0])
def test_server_serves_at_most_its_limit(limit: int) -> None:
    with SweepWeb(generate_sweep_site(60, 4), latency=LATENCY, serve_at_most=limit) as web:
        web.reset_traffic()
        statuses, seconds = six_at_once(web)
        seen = web.reset_traffic()
    assert statuses == [200] * 6  # every request answered: the ones past the limit waited, none was refused
    assert seen.peak_connections == seen.peak_in_flight == 6  # what the clients sent, whatever was served
    assert sum(seen.by_method().values()) == seen.by_method()["GET"] == 6
    if limit:
        assert seen.peak_served == 2
        assert seconds >= 3 * LATENCY  # three turns of two
    else:  # no limit: the same counter sees all six at once (so the check above can fail)
        assert seen.peak_served == 6
        assert seconds < 3 * LATENCY
