"""Faithful forwarding through the real gateway over HTTPS: bytes, headers, streaming."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import socket
import ssl
import time

import httpx
import pytest


def client(gw, pki):
    return httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=10)


def raw_connection(gw, pki) -> http.client.HTTPSConnection:
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    return http.client.HTTPSConnection("127.0.0.1", gw.port, context=ctx, timeout=10)


def socket_inodes(pid: int) -> set:
    fds = f"/proc/{pid}/fd"
    inodes = set()
    for fd in os.listdir(fds):
        try:
            link = os.readlink(f"{fds}/{fd}")
        except FileNotFoundError:  # closed meanwhile
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    return inodes


def tcp_states(pid: int) -> list:
    """The states of the process's TCP sockets, as /proc/net/tcp names them ("01" established, "08"
    CLOSE_WAIT, "0A" listening)."""
    inodes = socket_inodes(pid)
    states = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[9] in inodes:
                    states.append(fields[3])
    return states


def seen_headers(echo: dict) -> list:
    return [(k.lower(), v) for k, v in echo["headers"]]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_methods_query_and_binary_bodies_arrive_byte_identical(gateway, echo_backend, pki, method):
    body = bytes(range(256)) * 64 if method not in ("GET", "DELETE") else b""
    target = "/echo/a%2Fb?q=1&q=2&x=%E2%9C%93&empty="
    with client(gateway, pki) as c:
        through = c.request(method, target, content=body, headers={"Content-Type": "application/octet-stream"})
    direct = httpx.request(method, echo_backend.url + target, content=body,
                           headers={"Content-Type": "application/octet-stream"})
    assert through.status_code == direct.status_code == 200
    seen = through.json()
    assert seen["method"] == method
    assert seen["target"] == target
    assert base64.b64decode(seen["body_b64"]) == body
    assert seen["sha256"] == hashlib.sha256(body).hexdigest()


def test_large_request_bodies_arrive_byte_identical_and_the_connection_serves_on(gateway, pki):
    # A body of known length is read up to 64 KiB at a time; the bytes after it are the next request's.
    with client(gateway, pki) as c:
        for n in (65_535, 65_537, 1_000_003):
            body = os.urandom(n)
            seen = c.post("/upload", content=body, headers={"Content-Type": "application/octet-stream"}).json()
            assert seen["sha256"] == hashlib.sha256(body).hexdigest(), n
            assert c.get("/after").json()["target"] == "/after"


def test_binary_response_bodies_are_identical(gateway, echo_backend, pki):
    # A body below 16 KiB - 32 is read into a buffer of its own length, a larger one in pieces of that size.
    for n in (0, 1, 16351, 16352, 16353, 16384, 65536, 3_000_001):
        with client(gateway, pki) as c:
            through = c.get(f"/bytes?n={n}&seed=9")
        direct = httpx.get(f"{echo_backend.url}/bytes?n={n}&seed=9")
        assert through.status_code == 200
        assert through.content == direct.content
        assert len(through.content) == n


def test_a_body_of_known_length_arriving_in_pieces_keeps_the_connection_in_step(gateway, echo_backend, pki):
    # The head comes with the first piece (parsed), the rest apart (read past the parser, up to the length):
    # a byte too many or too few read would show in the next response on the same backend connection.
    ports = set()
    with client(gateway, pki) as c:
        for n, pieces in ((100_000, 7), (16_353, 3), (40, 2), (3_000_001, 5)):
            target = f"/bytes?n={n}&seed=4&pieces={pieces}&gap_ms=20"
            through = c.get(target)
            assert through.status_code == 200
            assert through.content == httpx.get(echo_backend.url + target).content, target
            after = c.get("/slow?ms=0")  # the next exchange, on the same pooled connection
            assert after.json() == {"slow": True}
            ports.add(after.headers["x-peer-port"])
    assert len(ports) == 1, ports  # kept and reused after each body: nothing was left unread or read beyond it


def tls_records_of_response(gw, pki, target: str) -> list:
    """The sizes of the TLS records in which the gateway sends the response to `target` (Connection:
    close, read to the end). OpenSSL's SSL_read returns at most one record per call."""
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            time.sleep(0.3)  # the whole response is in flight: each recv below can only be cut by a record
            sizes = []
            while chunk := s.recv(1 << 20):
                sizes.append(len(chunk))
    return sizes


def test_a_response_reaches_the_client_in_as_few_tls_records_as_its_size_allows(gateway, pki):
    # Beast reads at most what the read buffer has room for; left at its first 512 bytes, a 3,000-byte
    # body went out as 7 records (7 writes) and a 100,000-byte one as ~200.
    small = tls_records_of_response(gateway, pki, "/bytes?n=3000&seed=2")
    assert sum(small) > 3000
    assert len(small) <= 2, small  # the head with the body, or the head with a first piece if the body straggles
    large = tls_records_of_response(gateway, pki, "/bytes?n=100000&seed=2")
    assert sum(large) > 100_000
    assert len(large) <= 16, f"{len(large)} records: {large[:10]}"  # 16 KiB pieces: 7, and a few short reads
    # Delimited by close, re-framed as chunks: a piece's size line, data and CRLF share a record (they
    # were three records each: 6 bytes, 16 KiB, 2).
    chunked = tls_records_of_response(gateway, pki, "/until-close?n=100000")
    assert sum(chunked) > 100_000
    assert len(chunked) <= 16, f"{len(chunked)} records: {chunked[:10]}"


def test_status_codes_pass_through(gateway, pki):
    with client(gateway, pki) as c:
        for code in (201, 204, 301, 400, 404, 418, 500, 503):
            r = c.get(f"/status/{code}", follow_redirects=False)
            assert r.status_code == code
            if code != 204:
                assert r.json() == {"status": code}


def test_cookie_and_authorization_reach_the_backend_byte_for_byte(gateway, pki):
    conn = raw_connection(gateway, pki)
    conn.putrequest("GET", "/echo", skip_accept_encoding=True)
    conn.putheader("Cookie", "s=abc%3D%3D; t=x%2By")
    conn.putheader("Authorization", "Bearer abc%2Bdef==")
    conn.putheader("X-Dup", "first")
    conn.putheader("X-Other", "between")
    conn.putheader("X-Dup", "second")
    conn.putheader("X-Empty", "")
    conn.endheaders()
    seen = seen_headers(json.loads(conn.getresponse().read()))
    assert ("cookie", "s=abc%3D%3D; t=x%2By") in seen
    assert ("authorization", "Bearer abc%2Bdef==") in seen
    # Values of one field name keep their order (RFC 9110 5.3); Beast groups same-name fields together.
    assert [v for k, v in seen if k == "x-dup"] == ["first", "second"]
    assert ("x-other", "between") in seen
    assert ("x-empty", "") in seen


def test_hop_by_hop_headers_are_removed_both_ways(gateway, pki):
    conn = raw_connection(gateway, pki)
    conn.putrequest("GET", "/echo")
    conn.putheader("Connection", "keep-alive, X-Hop-Request")
    conn.putheader("X-Hop-Request", "secret")
    conn.putheader("Keep-Alive", "timeout=5")
    conn.putheader("TE", "trailers")
    conn.putheader("Proxy-Authorization", "Basic Zm9vOmJhcg==")
    conn.putheader("X-End-To-End", "kept")
    conn.endheaders()
    names = {k for k, _ in seen_headers(json.loads(conn.getresponse().read()))}
    assert "x-end-to-end" in names
    for hop in ("x-hop-request", "keep-alive", "te", "proxy-authorization"):
        assert hop not in names
    conn.request("GET", "/hop")
    response = conn.getresponse()
    response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    assert headers["x-normal"] == "kept"
    for hop in ("x-hop-secret", "keep-alive", "upgrade"):
        assert hop not in headers


def test_forwarded_headers_and_request_id(gateway, pki):
    with client(gateway, pki) as c:
        r = c.get("/echo", headers={"Host": "api.example.test", "X-Forwarded-For": "203.0.113.9"})
        seen = dict(seen_headers(r.json()))
        assert seen["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
        assert seen["x-forwarded-proto"] == "https"
        assert seen["x-forwarded-host"] == "api.example.test"
        generated = seen["x-request-id"]
        assert len(generated) == 32 and r.headers["x-request-id"] == generated

        kept = c.get("/echo", headers={"X-Request-ID": "client-id-123"})
        assert dict(seen_headers(kept.json()))["x-request-id"] == "client-id-123"
        assert kept.headers["x-request-id"] == "client-id-123"

        replaced = c.get("/echo", headers={"X-Request-ID": "bad id <script>"})
        new_id = dict(seen_headers(replaced.json()))["x-request-id"]
        assert new_id != "bad id <script>" and len(new_id) == 32


def test_sse_events_arrive_one_by_one(gateway, pki):
    interval = 0.4
    arrivals = []
    with client(gateway, pki) as c:
        start = time.monotonic()
        with c.stream("GET", f"/sse?n=4&interval_ms={int(interval * 1000)}") as r:
            assert r.status_code == 200
            assert r.headers["content-type"] == "text/event-stream"
            for line in r.iter_lines():
                if line.startswith("data: "):
                    arrivals.append((time.monotonic() - start, line[6:].strip()))
    assert [p for _, p in arrivals][-1] == "[DONE]"
    assert len(arrivals) == 5
    # Streamed, not buffered: the first event arrives long before the last one was produced.
    assert arrivals[0][0] < interval
    assert arrivals[-1][0] - arrivals[0][0] > 3 * interval * 0.8


def test_chunked_request_and_response_bodies(gateway, pki):
    def pieces():
        for i in range(50):
            yield (b"%03d," % i) * 100

    expected = b"".join(pieces())
    with client(gateway, pki) as c:
        r = c.post("/echo", content=pieces())
        assert base64.b64decode(r.json()["body_b64"]) == expected
        chunked = c.get("/chunked?n=20")
        assert chunked.json() == {"pieces": list(range(20))}


def test_body_delimited_by_close_is_relayed(gateway, pki):
    with client(gateway, pki) as c:
        r = c.get("/until-close")
        assert r.status_code == 200
        assert r.text == "closed-delimited body"


def test_head_requests_have_headers_and_no_body(gateway, pki):
    with client(gateway, pki) as c:
        r = c.head("/bytes?n=5000")
        assert r.status_code == 200
        assert r.headers["content-length"] == "5000"
        assert r.content == b""
        assert c.get("/status/200").status_code == 200  # the connection is still usable


def test_keep_alive_connection_serves_many_requests(gateway, pki):
    conn = raw_connection(gateway, pki)
    for i in range(50):
        conn.request("GET", f"/echo?i={i}")
        r = conn.getresponse()
        assert json.loads(r.read())["target"] == f"/echo?i={i}"


def test_expect_100_continue_is_answered(gateway, pki):
    conn = raw_connection(gateway, pki)
    conn.putrequest("POST", "/echo")
    conn.putheader("Content-Length", "5")
    conn.putheader("Expect", "100-continue")
    conn.endheaders()
    conn.send(b"hello")
    r = conn.getresponse()
    seen = json.loads(r.read())
    assert base64.b64decode(seen["body_b64"]) == b"hello"
    assert "expect" not in {k.lower() for k, _ in seen["headers"]}


def test_the_pool_keeps_as_many_connections_as_it_recently_had_in_flight(gateways, echo_backend, pki, tmp_path):
    # max_idle 1, 12 slow requests at once: a fixed cap would keep one connection of the 12 and reconnect
    # 11 times for the next burst; keeping only as many idle as are still in use kept about half of
    # them (their replies come back together). The pool keeps what it had in flight at once in the
    # last seconds, so the next burst runs on the same 12 connections.
    import concurrent.futures
    from gateway_harness import gateway_config

    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path)
    config["threads"] = 1
    config["mirror"] = {"enabled": False}
    config["backends"]["legacy"]["max_idle"] = 1
    gw = gateways(config)

    def burst():
        def one(_):
            with client(gw, pki) as c:
                r = c.get("/slow?ms=400")
            assert r.status_code == 200
            return r.headers["X-Peer-Port"]
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            return set(pool.map(one, range(12)))

    first = burst()
    second = burst()
    assert len(first) == 12  # 12 exchanges in flight together: 12 backend connections
    assert second == first


def test_pooled_connections_unused_for_idle_timeout_are_closed(gateways, echo_backend, pki, tmp_path):
    # The pool keeps the 12 connections a burst needed while they are used again soon; unused for
    # idle_timeout_ms they are closed — by the loop's sweep, with no exchange needed to notice — and the
    # gateway holds no socket for them any more.
    import concurrent.futures
    from gateway_harness import gateway_config
    from services import wait_until

    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path)
    config["threads"] = 1
    config["mirror"] = {"enabled": False}
    config["backends"]["legacy"].update(max_idle=1, idle_timeout_ms=2000)
    gw = gateways(config)

    def sockets():
        return len(socket_inodes(gw.proc.pid))

    def one(_):
        with client(gw, pki) as c:
            return c.get("/slow?ms=300").headers["X-Peer-Port"]

    with client(gw, pki) as c:
        port = c.get("/slow?ms=1").headers["X-Peer-Port"]
        steady = sockets()  # listeners, this client's connection, one backend connection
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            burst = set(pool.map(one, range(12)))
        assert len(burst) == 12
        # The burst's clients are gone; its backend connections stay pooled (11 more than before).
        assert wait_until(lambda: sockets() == steady + 11), (sockets(), steady)
        assert c.get("/slow?ms=1").headers["X-Peer-Port"] in burst | {port}
        # Past idle_timeout_ms (and the once-a-second sweep), with no request meanwhile: all closed,
        # the one the client's first request used too.
        assert wait_until(lambda: sockets() == steady - 1, timeout=6), (sockets(), steady)
        assert c.get("/slow?ms=1").headers["X-Peer-Port"] not in burst | {port}
        assert sockets() == steady


def test_a_pooled_connection_the_backend_closed_is_not_reused_for_a_post(gateways, pki, tmp_path):
    # uvicorn closes keep-alive connections idle for 5 s. A POST is never retried (it may have run), so
    # the pool must notice the close before reusing the connection, not after sending on it.
    from gateway_harness import gateway_config
    from services import start_legacy

    with start_legacy() as legacy:
        config = gateway_config(legacy.url, legacy.url, pki, tmp_path, routes=[{"prefix": "/"}])
        config["threads"] = 1
        config["mirror"] = {"enabled": False}
        gw = gateways(config)
        body = {"model": "parity-chat-mini", "messages": [{"role": "user", "content": "hi"}]}
        with client(gw, pki) as c:
            assert c.post("/v1/chat/completions", json=body).status_code == 200
            time.sleep(5.6)  # past uvicorn's keep-alive timeout: the pooled connection is closed
            r = c.post("/v1/chat/completions", json=body)
        assert r.status_code == 200, r.text


def test_pooled_connections_the_backend_closed_are_let_go_without_traffic(gateways, pki, tmp_path):
    # uvicorn closes keep-alive connections idle for 5 s. The served pool is then not used again: the
    # loop's sweep must still close the gateway's end, or it sits in CLOSE_WAIT for as long as the gateway
    # runs (here idle_timeout_ms is an hour, so only the backend's close can let it go).
    from gateway_harness import gateway_config
    from services import start_legacy, wait_until

    with start_legacy() as legacy:
        config = gateway_config(legacy.url, legacy.url, pki, tmp_path, routes=[{"prefix": "/"}])
        config["threads"] = 1
        config["mirror"] = {"enabled": False}
        config["backends"]["legacy"]["idle_timeout_ms"] = 3_600_000
        gw = gateways(config)
        pid = gw.proc.pid
        before = sorted(tcp_states(pid))  # the listeners
        with client(gw, pki) as c:
            assert c.get("/v1/models").status_code == 200
        # The client's connection is gone; the backend connection stays pooled, established.
        assert wait_until(lambda: sorted(tcp_states(pid)) == sorted(before + ["01"])), tcp_states(pid)
        # uvicorn's 5 s (the socket goes to CLOSE_WAIT, "08"), then up to a second before the sweep
        # checks it and a second between sweeps: the gateway closes it.
        assert wait_until(lambda: "08" in tcp_states(pid) or tcp_states(pid) == before, timeout=15)
        assert wait_until(lambda: sorted(tcp_states(pid)) == before, timeout=6), tcp_states(pid)
        with client(gw, pki) as c:
            assert c.get("/v1/models").status_code == 200  # a fresh connection serves the next request
