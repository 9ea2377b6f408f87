"""schemathesis against /openapi.json, authenticated as the owner of a seeded series: no
request gets a 5xx, and every response matches the status codes, media types and schemas
the document declares. One test per operation and mode (valid and invalid requests), 25
examples each from a fixed seed."""

from __future__ import annotations

from typing import Any

import pytest
from fuzz_support import Seeded, nothing_invalid, operation_labels, schema_of
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Operations whose only parameters are plain strings in the path: no request breaks their schema.
NOTHING_INVALID = nothing_invalid()
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in operation_labels()
    for mode in GenerationMode
    if not (mode is GenerationMode.NEGATIVE and (method, path) in NOTHING_INVALID)
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_every_operation_answers_within_its_documented_contract(
    method: str, path: str, mode: GenerationMode, seeded: Seeded
) -> None:
    operation = schema_of(seeded)[path][method]
    auth = {"Authorization": f"Bearer {seeded.token}"}

    @given(case=operation.as_strategy(mode))
    @seed(20260109)  # reproducible runs (derandomize=True starves negative generation)
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        seeded.aim(case)
        case.call_and_validate(headers=auth, checks=CHECKS)

    fuzz()
