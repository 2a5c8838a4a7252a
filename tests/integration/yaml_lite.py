"""Writes test configs as YAML without PyYAML: JSON is valid YAML 1.2 flow syntax, and yaml-cpp reads it."""
import json


def dump(value) -> str:
    return json.dumps(value, indent=2) + "\n"
