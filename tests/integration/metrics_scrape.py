"""Reading one figure from a gateway's /metrics, with the Prometheus text parser."""
from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def metric_value(gw, name: str, verify=True, **labels) -> float:
    """The sum of `name` over every sample whose labels include `labels`."""
    text = httpx.get(gw.url + "/metrics", verify=verify).text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()))


def tls_metric(gw, pki, name: str, **labels) -> float:
    """metric_value for a gateway served over HTTPS with the test PKI."""
    return metric_value(gw, name, verify=str(pki.ca_cert), **labels)
