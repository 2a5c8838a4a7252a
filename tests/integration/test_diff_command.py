"""`parity diff`: the compare engine offline, on two files."""
from __future__ import annotations

import json

from gateway_harness import run_parity


def write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(path)


def test_equal_bodies_exit_0_regardless_of_key_order_and_number_form(tmp_path):
    a = write(tmp_path, "a.json", {"x": 1, "y": [1, 2], "z": {"k": "v"}})
    b = write(tmp_path, "b.json", '{"z": {"k": "v"}, "y": [1.0, 2], "x": 1.0}')
    result = run_parity("diff", a, b)
    assert result.returncode == 0, result.stdout + result.stderr


def test_differences_exit_1_and_name_pointer_and_kind(tmp_path):
    a = write(tmp_path, "a.json", {"usage": {"prompt_tokens": 3}, "n": 1, "tags": ["a"]})
    b = write(tmp_path, "b.json", {"usage": {"input_tokens": 3}, "n": "1", "tags": ["a", "b"]})
    result = run_parity("diff", a, b, "--format", "json")
    assert result.returncode == 1
    found = {(d["pointer"], d["kind"]) for d in json.loads(result.stdout)["differences"]}
    assert {("/usage/prompt_tokens", "missing"), ("/usage/input_tokens", "extra"), ("/n", "type"),
            ("/tags", "array_length")} <= found


def test_rules_from_a_compare_only_config(tmp_path):
    a = write(tmp_path, "a.json", {"id": "a1", "detail": "Not Found"})
    b = write(tmp_path, "b.json", {"id": "b2", "detail": "Not Found"})
    assert run_parity("diff", a, b).returncode == 1
    rules = write(tmp_path, "rules.yaml", "compare:\n  ignore: [/id]\n")
    assert run_parity("diff", a, b, "-c", rules).returncode == 0


def test_error_format_rule_makes_the_new_shape_expected(tmp_path):
    legacy = write(tmp_path, "legacy.json", {"detail": "Model not found"})
    candidate = write(tmp_path, "candidate.json", {"error": {"message": "Model not found", "type": "x"}})
    other = write(tmp_path, "other.json", {"error": {"message": "Something else", "type": "x"}})
    rules = write(tmp_path, "rules.yaml", 'compare:\n  error_formats:\n    - {legacy: {detail: $message}, '
                                          'candidate: {error: {message: $message, type: "*"}}}\n')
    assert run_parity("diff", legacy, candidate, "-c", rules).returncode == 0
    assert run_parity("diff", legacy, other, "-c", rules).returncode == 1


def test_bad_input_exits_2(tmp_path):
    a = write(tmp_path, "a.json", {"x": 1})
    assert run_parity("diff", a, str(tmp_path / "missing.json")).returncode == 2
    bad_rules = write(tmp_path, "bad.yaml", "compare: {ignore: [no-slash]}\n")
    result = run_parity("diff", a, a, "-c", bad_rules)
    assert result.returncode == 2 and "compare.ignore[0]" in result.stderr
