"""The OPA backend against a server on loopback that implements OPA's documented REST API
(``PUT /v1/policies/{id}``, ``PUT /v1/data/{path}``, ``POST /v1/data/{path}``), evaluating with
a real Rego engine. No OPA binary can be installed here; the protocol is what is verified."""

from __future__ import annotations

import json
import textwrap
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import regorus

from costwarden import Document, scan
from costwarden.rego.backend import PolicyFile
from costwarden.rego.run import RegoOptions
from tests.plans import change, dumps, plan
from tests.scanning import only_rego


class OpaHandler(BaseHTTPRequestHandler):
    policies: ClassVar[dict[str, str]] = {}
    data: ClassVar[dict[str, object]] = {}
    requests: ClassVar[list[tuple[str, str]]] = []

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _reply(self, status: int, document: object) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_PUT(self) -> None:
        type(self).requests.append(("PUT", self.path))
        body = self._body()
        if self.path.startswith("/v1/policies/"):
            policy_id = urllib.parse.unquote(self.path.removeprefix("/v1/policies/"))
            engine = regorus.Engine()
            try:
                engine.add_policy(policy_id, body.decode())
            except RuntimeError as exc:
                line = int(str(exc).split(f"{policy_id}:")[1].split(":")[0]) if f"{policy_id}:" in str(exc) else 1
                self._reply(
                    400,
                    {
                        "code": "invalid_parameter",
                        "message": "error(s) occurred while compiling module(s)",
                        "errors": [
                            {
                                "code": "rego_parse_error",
                                "message": "unexpected token",
                                "location": {"file": policy_id, "row": line, "col": 3},
                            }
                        ],
                    },
                )
                return
            type(self).policies[policy_id] = body.decode()
            self._reply(200, {})
        else:
            type(self).data[self.path.removeprefix("/v1/data/")] = json.loads(body)
            self.send_response(204)
            self.end_headers()

    def do_POST(self) -> None:
        type(self).requests.append(("POST", self.path))
        document = json.loads(self._body() or b"{}")
        engine = regorus.Engine()
        for policy_id, text in type(self).policies.items():
            engine.add_policy(policy_id, text)
        if type(self).data:
            engine.add_data_json(json.dumps(type(self).data))
        engine.set_input_json(json.dumps(document.get("input")))
        rule = "data." + ".".join(self.path.removeprefix("/v1/data/").split("/"))
        try:
            value = json.loads(engine.eval_rule_as_json(rule))
        except RuntimeError:
            self._reply(200, {})  # undefined: OPA answers without a result
            return
        self._reply(200, {"result": value})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def opa():
    OpaHandler.policies, OpaHandler.data, OpaHandler.requests = {}, {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), OpaHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


POLICY = textwrap.dedent("""
    package main
    import rego.v1

    violation contains {"msg": msg, "resource": r.address, "remedy": {"market": "spot"}} if {
        some r in input.resources
        r.compute.gpu.count > 0
        msg := sprintf("%s: %s", [data.org.prefix, r.address])
    }
""")
PLAN = Document("plan.json", dumps(plan(change("aws_instance.gpu", {"instance_type": "g5.xlarge", "tags_all": {}}))))


def test_policies_data_and_evaluation_go_through_the_rest_api(opa):
    options = RegoOptions(
        policies=[PolicyFile("org/gpu.rego", POLICY)], engine="opa", opa_url=opa, data={"org": {"prefix": "GPU"}}
    )
    result = scan(PLAN, only_rego(options))
    assert result.errors == ()
    (violation,) = result.violations
    assert violation.message == "GPU: aws_instance.gpu"
    assert violation.cost.monthly_savings > 0  # priced by costwarden, not by OPA
    assert ("PUT", "/v1/policies/costwarden%2Forg%2Fgpu.rego") in OpaHandler.requests
    assert ("PUT", "/v1/data/org") in OpaHandler.requests
    assert ("POST", "/v1/data/main/violation") in OpaHandler.requests
    assert OpaHandler.policies["costwarden/org/gpu.rego"] == POLICY  # uploaded unchanged


def test_a_policy_opa_rejects_is_an_error_naming_file_and_line(opa):
    options = RegoOptions(
        policies=[PolicyFile("bad.rego", "package main\n\ndeny contains x if {\n")], engine="opa", opa_url=opa
    )
    result = scan(PLAN, only_rego(options))
    (error,) = result.errors
    assert error.message == "unexpected token (column 3)"
    assert error.path == "costwarden/bad.rego"


def test_an_unreachable_server_is_one_error(opa):
    options = RegoOptions(policies=[PolicyFile("p.rego", POLICY)], engine="opa", opa_url="http://127.0.0.1:9")
    result = scan(PLAN, only_rego(options))
    assert result.errors and "did not answer" in result.errors[0].message
