"""Protecting the backends, against the real binary: several instances per backend with round-robin,
random and weighted balancing, active health checks, the circuit breaker (open, half-open probe,
closed) and retries (idempotent methods only, only before a response byte reached the client). The
gateways run one event loop (threads: 1) so the round-robin order is exact."""
from __future__ import annotations

from collections import Counter

import httpx
import pytest

from backend_pool import dead_url, kill9, metric, names, start_echo
from gateway_harness import gateway_config
from services import free_port, wait_until


@pytest.fixture(scope="module")
def trio():
    a, b, c = start_echo("a"), start_echo("b"), start_echo("c")
    yield a, b, c
    for s in (a, b, c):
        s.stop()


def config(tmp_path, legacy: dict, candidate=None, **overrides) -> dict:
    cfg = gateway_config("http://unused", "http://unused", None, tmp_path, threads=1,
                         mirror={"enabled": False}, **overrides)
    cfg["backends"] = {"legacy": legacy, "candidate": candidate or {"url": dead_url()}}
    return cfg


def test_round_robin_cycles_through_the_instances(gateways, trio, tmp_path):
    gw = gateways(config(tmp_path, {"instances": [s.url for s in trio], "balance": "round_robin"}))
    with httpx.Client(base_url=gw.url) as c:
        seen = names(c, 9)
    assert seen == ["a", "b", "c"] * 3
    health = httpx.get(gw.url + "/health").json()["backends"]["legacy"]
    assert health["balance"] == "round_robin"
    assert [i["url"] for i in health["instances"]] == [s.url for s in trio]
    assert all(i["status"] == "up" and i["healthy"] and i["breaker"] == "closed" for i in health["instances"])
    assert metric(gw, "parity_backend_exchanges_total", backend="legacy", instance=trio[1].url) == 3


def test_weighted_split_follows_the_weights_and_weight_0_gets_nothing(gateways, trio, tmp_path):
    a, b, c = trio
    legacy = {"instances": [{"url": a.url, "weight": 3}, {"url": b.url, "weight": 1}, {"url": c.url, "weight": 0}],
              "balance": "weighted"}
    gw = gateways(config(tmp_path, legacy))
    with httpx.Client(base_url=gw.url) as client:
        counts = Counter(names(client, 200))
    assert counts["c"] == 0
    assert counts["a"] + counts["b"] == 200
    # 150/50 expected; the gateway's random source is seeded (--seed 7), a wide band still catches a wrong split.
    assert 120 <= counts["a"] <= 180, counts


def test_random_reaches_every_instance(gateways, trio, tmp_path):
    gw = gateways(config(tmp_path, {"instances": [s.url for s in trio], "balance": "random"}))
    with httpx.Client(base_url=gw.url) as client:
        counts = Counter(names(client, 60))
    assert set(counts) == {"a", "b", "c"}, counts


def test_health_checks_take_an_instance_out_and_back(gateways, tmp_path):
    with start_echo("up") as up, start_echo("flaky") as flaky:
        legacy = {"instances": [up.url, flaky.url],
                  "health_check": {"interval_ms": 100, "unhealthy_after": 2, "healthy_after": 1}}
        gw = gateways(config(tmp_path, legacy))
        healthy = lambda: metric(gw, "parity_backend_instance_healthy", backend="legacy", instance=flaky.url)  # noqa: E731
        with httpx.Client(base_url=gw.url) as client:
            assert sorted(names(client, 4)) == ["flaky", "flaky", "up", "up"]
            httpx.get(flaky.url + "/control/health?status=503")
            assert wait_until(lambda: healthy() == 0)
            assert names(client, 6) == ["up"] * 6
            instances = httpx.get(gw.url + "/health").json()["backends"]["legacy"]["instances"]
            assert [i["healthy"] for i in instances] == [True, False]
            httpx.get(flaky.url + "/control/health?status=200")
            assert wait_until(lambda: healthy() == 1)
            assert "flaky" in names(client, 4)
        assert "unhealthy after 2 failed check(s)" in gw.log()
        assert "healthy again" in gw.log()


def test_breaker_opens_after_n_failures_and_traffic_moves_to_the_live_instance(gateways, tmp_path):
    dead = dead_url()
    with start_echo("live") as live:
        legacy = {"instances": [dead, live.url], "circuit_breaker": {"failures": 2, "open_ms": 60000}}
        gw = gateways(config(tmp_path, legacy))
        with httpx.Client(base_url=gw.url) as client:
            statuses = [client.get("/x").status_code for _ in range(4)]
            # round robin: dead, live, dead (the breaker opens), live; then only live.
            assert statuses == [502, 200, 502, 200]
            assert names(client, 5) == ["live"] * 5
        assert metric(gw, "parity_backend_breaker_opens_total", backend="legacy", instance=dead) == 1
        assert metric(gw, "parity_backend_breaker_state", backend="legacy", instance=dead) == 1
        assert metric(gw, "parity_backend_failures_total", backend="legacy", instance=dead) == 2
        assert "circuit open after 2 consecutive failure(s)" in gw.log()
        instances = httpx.get(gw.url + "/health").json()["backends"]["legacy"]["instances"]
        assert [i["breaker"] for i in instances] == ["open", "closed"]


def test_breaker_counts_the_configured_statuses_as_failures(gateways, tmp_path):
    with start_echo("sick") as sick, start_echo("well") as well:
        # Both get GET /status/503; the well one's base path (/ok) turns it into an ordinary echo (200).
        legacy = {"instances": [sick.url, well.url + "/ok"],
                  "circuit_breaker": {"failures": 2, "open_ms": 60000, "failure_statuses": [502, 503]}}
        gw = gateways(config(tmp_path, legacy))
        with httpx.Client(base_url=gw.url) as client:
            answers = [client.get("/status/503") for _ in range(8)]
        # Round robin: sick, well, sick (two 503s in a row for sick: open), well; then only well.
        assert [r.status_code for r in answers] == [503, 200, 503] + [200] * 5
        assert {r.headers["x-echo-name"] for r in answers[3:]} == {"well"}
        assert metric(gw, "parity_backend_breaker_opens_total", backend="legacy", instance=sick.url) == 1
        assert metric(gw, "parity_backend_failures_total", backend="legacy", instance=sick.url) == 2
        assert "circuit open after 2 consecutive failure(s), last: answered HTTP 503" in gw.log()
    # Without failure_statuses a 503 is an answer (the diff sees it), not a failure.
    with start_echo("sick") as sick, start_echo("well") as well:
        legacy = {"instances": [sick.url, well.url + "/ok"], "circuit_breaker": {"failures": 2, "open_ms": 60000}}
        gw = gateways(config(tmp_path / "default", legacy))
        with httpx.Client(base_url=gw.url) as client:
            assert [client.get("/status/503").status_code for _ in range(6)] == [503, 200] * 3
        assert metric(gw, "parity_backend_breaker_opens_total", backend="legacy", instance=sick.url) == 0


def test_open_breaker_fails_fast_then_a_half_open_probe_closes_it(gateways, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    gw = gateways(config(tmp_path, {"url": url, "circuit_breaker": {"failures": 2, "open_ms": 2000}}))
    with httpx.Client(base_url=gw.url) as client:
        assert [client.get("/x").status_code for _ in range(2)] == [502, 502]
        refused = client.get("/x")
        assert refused.status_code == 503
        assert refused.json()["error"]["type"] == "upstream_unavailable"
        assert metric(gw, "parity_upstream_unavailable_total", backend="legacy") >= 1
        with start_echo("back", port):
            # After open_ms one request probes; its success closes the breaker.
            assert wait_until(lambda: client.get("/x").status_code == 200)
            assert metric(gw, "parity_backend_breaker_state", backend="legacy", instance=url) == 0
            assert names(client, 3) == ["back"] * 3
    assert "circuit half-open" in gw.log()
    assert "circuit closed again" in gw.log()


def test_retries_only_idempotent_requests_on_another_instance(gateways, tmp_path):
    dead = dead_url()
    with start_echo("live") as live:
        legacy = {"instances": [dead, live.url], "retries": {"attempts": 1, "backoff_ms": 10}}
        gw = gateways(config(tmp_path, legacy))
        with httpx.Client(base_url=gw.url) as client:
            # Every GET reaches the live instance, half of them after a retry.
            assert names(client, 4) == ["live"] * 4
            # Round robin puts the dead instance first every other pick, and the retry on the live one
            # moves the cursor past it: every GET starts on the dead instance.
            retries = metric(gw, "parity_upstream_retries_total", backend="legacy")
            assert retries == 4
            # POST is not idempotent: when the dead instance gets it, it fails without a retry.
            posts = [client.post("/x", content=b"once").status_code for _ in range(2)]
            assert sorted(posts) == [200, 502]
            assert metric(gw, "parity_upstream_retries_total", backend="legacy") == retries
        assert "retry 1 of 1" in gw.log()


def test_no_retry_once_response_bytes_reached_the_client(gateways, tmp_path):
    with start_echo("one") as one, start_echo("two") as two:
        legacy = {"instances": [one.url, two.url], "retries": {"attempts": 2, "backoff_ms": 10}}
        gw = gateways(config(tmp_path, legacy))
        with httpx.Client(base_url=gw.url) as client:
            with pytest.raises(httpx.HTTPError):
                client.get("/truncate?n=100000")  # head and half the body sent, then the backend closes
            assert metric(gw, "parity_upstream_retries_total", backend="legacy") == 0
            assert client.get("/x").status_code == 200
        assert "response cut short" in gw.log()


def test_the_shadow_side_is_balanced_too(gateways, trio, tmp_path):
    with start_echo("served") as served:
        cfg = config(tmp_path, {"url": served.url}, {"instances": [s.url for s in trio]})
        cfg["mirror"] = {"enabled": True}
        gw = gateways(cfg)
        with httpx.Client(base_url=gw.url) as client:
            assert names(client, 6) == ["served"] * 6
        for s in trio:
            assert wait_until(lambda: metric(gw, "parity_backend_exchanges_total", backend="candidate",
                                             instance=s.url) == 2)


def test_killed_instance_is_skipped_by_retries_and_breaker(gateways, tmp_path):
    with start_echo("stays") as stays:
        doomed = start_echo("doomed")
        legacy = {"instances": [stays.url, doomed.url], "retries": {"attempts": 1, "backoff_ms": 5},
                  "circuit_breaker": {"failures": 1, "open_ms": 60000}}
        gw = gateways(config(tmp_path, legacy))
        with httpx.Client(base_url=gw.url) as client:
            assert sorted(names(client, 2)) == ["doomed", "stays"]
            kill9(doomed)
            assert names(client, 6) == ["stays"] * 6
        assert metric(gw, "parity_backend_breaker_opens_total", backend="legacy", instance=doomed.url) == 1


def test_when_every_instance_fails_its_checks_they_are_tried_anyway(gateways, tmp_path):
    with start_echo("only") as only:
        httpx.get(only.url + "/control/health?status=503")  # a broken /health on a working service
        legacy = {"url": only.url, "health_check": {"interval_ms": 100, "unhealthy_after": 1}}
        gw = gateways(config(tmp_path, legacy))
        assert wait_until(lambda: metric(gw, "parity_backend_instance_healthy", backend="legacy",
                                         instance=only.url) == 0)
        with httpx.Client(base_url=gw.url) as client:
            assert names(client, 3) == ["only"] * 3
        assert metric(gw, "parity_health_checks_total") >= 1
