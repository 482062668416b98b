"""Every request the Palette client sends is valid against Palette's published API description.

The document is Swagger 2.0 (``palette-edge-openapi.json``, see its ORIGIN.md), which
openapi-core (the tailnet contract test's validator) does not read. It is read here by
bravado-core, Yelp's maintained Swagger 2.0 library, which validates each request's path, query
and body parameters against the operation's own parameter list and schemas. On top of it:

* a request must match exactly one operation, send no query parameter the operation does not
  declare, and no JSON key a schema does not declare (the server would ignore it silently);
* the headers the document leaves to prose (ORIGIN.md): ``ApiKey`` on every request, never an
  ``Authorization``; ``ProjectUid`` only on project-scoped (edge host) operations;
* every answer of the fake validates against the operation's response schema, so the client
  is tested against answers of the documented shape.
"""

from __future__ import annotations

import contextlib
import json
import re
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from bravado_core.operation import Operation
from bravado_core.request import IncomingRequest, unmarshal_request
from bravado_core.spec import Spec
from bravado_core.validate import validate_object
from jsonschema import validators

from palette_tailscale.fleet.model import FleetHost
from palette_tailscale.fleet.palette_register import Registrar
from palette_tailscale.palette import PaletteClient, check_token
from palette_tailscale.secrets import Secret
from tests.conftest import REFERENCE, require_path
from tests.fakes.palette_server import FakePalette, Request

from .conftest import open_env

SPEC = REFERENCE / "palette-edge-openapi.json"
# bravado-core reaches jsonschema's older reference resolver, deprecated but working; and it
# notes that it has no checker for formats such as "password". Neither is about our requests.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.* format is not registered with bravado-core"),
]
PROJECT_SCOPED = {
    "v1DashboardEdgehostsSearch",
    "v1EdgeHostDevicesUidGet",
    "v1EdgeHostDevicesCreate",
}
EVERY_OPERATION = PROJECT_SCOPED | {
    "v1EdgeTokensList",
    "v1EdgeTokensUidGet",
    "v1EdgeTokensCreate",
    "v1ProjectsFilterSummary",
}
# Every public method of the client, each exercised by run_everything below.
EXERCISED = {
    "close",
    "create_token",
    "find_project",
    "get_edge_host",
    "get_token",
    "list_edge_hosts",
    "list_tokens",
    "project",
    "register_edge_host",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(require_path(SPEC).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def spec(document: dict[str, Any]) -> Spec:
    # Several schemas (v1SearchFilterSummarySpec...) declare properties but no "type": read them
    # as objects, or bravado-core would not look inside them at all.
    config = {
        "validate_requests": True,
        "validate_responses": True,
        "use_models": False,
        "default_type_to_object": True,
    }
    with warnings.catch_warnings(), jsonschema_drafts_only():
        warnings.simplefilter("ignore")  # "$ref with siblings" notes about the document itself
        return Spec.from_dict(document, origin_url=SPEC.as_uri(), config=config)


@contextlib.contextmanager
def jsonschema_drafts_only() -> Iterator[None]:
    """Hide the OpenAPI 3.x dialects that openapi-core (the tailnet contract test) registers
    with jsonschema: bravado-core walks every document its resolver knows, and would follow the
    dialects' references to spec.openapis.org over the network."""
    known = validators._META_SCHEMAS
    saved = dict(known)
    for uri in [u for u in saved if "json-schema.org" not in u]:
        del known[uri]
    try:
        yield
    finally:
        known.update(saved)


class Incoming(IncomingRequest):  # type: ignore[misc]
    """A recorded request in the shape bravado-core reads."""

    def __init__(self, req: Request, path_params: dict[str, str]) -> None:
        self.path = path_params
        self.query = {k: v[0] for k, v in req.query.items()}
        self.form: dict[str, str] = {}
        self.files: dict[str, bytes] = {}
        self.headers = dict(req.headers)
        self._body = req.json

    def json(self, **_: Any) -> Any:
        return self._body


def operation_of(spec: Spec, req: Request) -> tuple[Operation, dict[str, str]]:
    found = []
    for template, item in spec.spec_dict["paths"].items():
        pattern = "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        match = re.match(pattern, req.path)
        if match and req.method.lower() in item:
            found.append((template, match.groupdict()))
    # A literal path wins over a template (/v1/edgehosts/tokens over /v1/edgehosts/{uid}).
    found.sort(key=lambda f: len(f[1]))
    assert found, f"{req.method} {req.path} is no operation of the document"
    template, params = found[0]
    return spec.get_op_for_request(req.method, template), params


def undeclared_keys(spec: Spec, schema: dict[str, Any], value: Any, where: str = "") -> list[str]:
    schema = spec.deref(schema)
    if isinstance(value, dict) and "properties" in schema:
        extra = [f"{where}.{k}" for k in value if k not in schema["properties"]]
        for key, item in value.items():
            if key in schema["properties"]:
                extra += undeclared_keys(spec, schema["properties"][key], item, f"{where}.{key}")
        return extra
    if isinstance(value, list) and "items" in schema:
        return [e for item in value for e in undeclared_keys(spec, schema["items"], item, where)]
    return []


def check_request(spec: Spec, req: Request, api_key: str) -> str:
    op, path_params = operation_of(spec, req)
    unmarshal_request(Incoming(req, path_params), op)  # raises on a type or schema mismatch
    declared = {p.name for p in op.params.values() if p.location == "query"}
    assert set(req.query) <= declared, (op.operation_id, set(req.query) - declared)
    body = next((p for p in op.params.values() if p.location == "body"), None)
    if body is not None and req.json is not None:
        assert undeclared_keys(spec, body.param_spec["schema"], req.json) == []
    assert req.headers.get("apikey") == api_key and "authorization" not in req.headers
    if "projectuid" in req.headers:
        assert op.operation_id in PROJECT_SCOPED, op.operation_id
    return str(op.operation_id)


def check_answer(spec: Spec, req: Request, status: int, body: Any) -> None:
    op, _ = operation_of(spec, req)
    response = spec.deref(op.op_spec["responses"].get(str(status)))
    if response is None:
        assert status >= 400, (op.operation_id, status)  # errors are not described
        return
    if "schema" in response:
        validate_object(spec, response["schema"], body)


def run_everything(fake: FakePalette, tmp: Path) -> PaletteClient:
    for i in range(120):  # three pages
        fake.state.add_edge_host(f"edge-{i:03d}", fake.default_project, health="healthy")
    fake.state.add_edge_host("edge-x", fake.default_project, clusters=["c1"], health="unhealthy")
    token = fake.state.add_token("stores", fake.default_project)
    env = open_env(fake)
    client = env.client
    check_token(client, Secret(token.value, "env"), datetime.now(timezone.utc))
    created = client.create_token("new", fake.default_project, datetime.now(timezone.utc))
    client.get_token(created.uid)
    client.find_project("Default")
    client.list_edge_hosts(fake.default_project)
    client.list_edge_hosts(None)
    client._walk(fake.default_project)  # the continue-token path, as after a change mid-list
    client.get_edge_host("edge-x", fake.default_project)
    client.get_edge_host("no-such-host", fake.default_project)
    client.register_edge_host(
        "edge-new", name="edge-new", labels={"city": "paris"}, arch="arm64", project_uid=None
    )
    hosts = [
        FleetHost("edge-000", "edge-000"),
        FleetHost("edge-r1", "edge-r1", palette_tags=(("city", "lyon"), ("site", "s1"))),
    ]
    Registrar(client, hosts).run(tmp)
    client.close()
    return client


def test_every_request_and_answer_matches_the_document(spec: Spec, tmp_path: Path) -> None:
    with FakePalette() as fake:
        run_everything(fake, tmp_path)
        requests, answers = list(fake.requests), list(fake.answers)
        key = fake.api_key
    seen = {check_request(spec, req, key) for req in requests}
    assert seen == EVERY_OPERATION
    for req, reply in answers:
        check_answer(spec, req, reply.status, reply.body)
    assert any("continue" in r.query for r in requests)
    assert any("offset" in r.query for r in requests)


def test_every_client_method_is_exercised() -> None:
    public = {name for name in vars(PaletteClient) if not name.startswith("_")}
    assert public == EXERCISED


def _request(method: str, path: str, body: Any = None, query: dict[str, list[str]] | None = None):  # type: ignore[no-untyped-def]
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"apikey": "k", "content-type": "application/json"}
    return Request(method, path, query or {}, headers, raw, body)


@pytest.mark.parametrize(
    ("req", "problem"),
    [
        (_request("POST", "/v1/edgehosts", {"spec": {"archType": "x86"}}), "x86"),
        (_request("POST", "/v1/edgehosts", {"metadata": {"uid": 7}}), "not of type 'string'"),
        (
            _request("POST", "/v1/dashboard/edgehosts/search", {}, {"limit": ["51"]}),
            "greater than the maximum",
        ),
        (
            _request("POST", "/v1/dashboard/edgehosts/search", {"sort": [{"field": "name"}]}),
            "'name' is not one of",
        ),
        (_request("POST", "/v1/edgehosts", {"metadata": {"uuid": "x"}}), "metadata.uuid"),
        (_request("GET", "/v1/edgehosts/tokens", None, {"page": ["2"]}), "page"),
        (_request("GET", "/v1/edgehosts/nope/nothing"), "no operation"),
    ],
)
def test_the_checks_do_reject_a_bad_request(spec: Spec, req: Request, problem: str) -> None:
    with pytest.raises(Exception, match=problem):
        check_request(spec, req, "k")


def test_the_checks_do_reject_a_bad_answer(spec: Spec) -> None:
    req = _request("GET", "/v1/edgehosts/tokens")
    with pytest.raises(Exception, match="'items' is a required property"):
        check_answer(spec, req, 200, {"tokens": []})
    expiry = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    with pytest.raises(Exception, match="is not of type 'boolean'"):
        check_answer(
            spec, req, 200, {"items": [{"spec": {"expiry": expiry}, "status": {"isActive": "yes"}}]}
        )
