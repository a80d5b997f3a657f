import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.server import ThreadedMotoServer

from costwarden import ScanOptions, scan
from costwarden.errors import MetricsError
from costwarden.metrics.cloudwatch import CloudWatchSource
from costwarden.metrics.file import FileSource, read_file
from costwarden.metrics.prometheus import PrometheusSource
from tests.metrics.servers import prometheus

ROOT = Path(__file__).parents[2]
PLAN = ROOT / "examples" / "metrics" / "plan.json"
CSV = ROOT / "examples" / "metrics" / "utilization.csv"


def violation(result, policy_id):
    return next(v for v in result.violations if v.policy_id == policy_id)


# the file source


def test_file_source_joins_by_cloud_id_and_cw201_right_sizes():
    result = scan([str(PLAN)], ScanOptions(metrics=[FileSource(CSV)]))
    cw201 = violation(result, "CW201")
    assert cw201.message.startswith("GPU utilization 9%, p95 14% over 168 h (file ")
    assert cw201.remedy.changes == {"instance_type": "p5.4xlarge"}
    assert "1 x H100: 989 TFLOPS at 70% covers 349 measured" in cw201.remedy.description
    assert cw201.cost.monthly_cost == pytest.approx(21.957642 * 730)
    assert cw201.cost.monthly_savings > 10_000
    cw501 = violation(result, "CW501")
    assert (
        cw501.message
        == "$21.96/h / 5,400 requests/h = $0.00407 per inference ($4.07 per 1,000), over the $0.001 budget"
    )


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("resource,gpu_util_avg\nx,abc\n", "gpu_util_avg: not a number: 'abc'", 2),
        ("resource,gpu_util\nx,1\n", "missing column 'gpu_util_avg'", 1),
        ("resource,gpu_util_avg\nx,-3\n", "gpu_util_avg: must be zero or more", 2),
        ("resource,gpu_util_avg,gpus\nx,50,1\ny,150,1\n", "gpu_util_avg 150 is over 100 x 1 GPUs", 3),
        ("resource,gpu_util_avg,gpus\nx,750,8\n", None, None),
        ("resource,gpu_util_avg,color\nx,50,red\n", "unknown column 'color'", 2),
        ('[{"resource": "x", "gpu_util_avg": 30}, {"gpu_util_avg": 3}]', "missing resource", 2),
        ("[1, 2", "invalid JSON", 1),
    ],
)
def test_bad_metrics_files_name_file_and_line(tmp_path, text, message, line):
    path = tmp_path / ("m.json" if text.startswith("[") else "m.csv")
    path.write_text(text)
    if message is None:
        assert read_file(path)["x"].gpu_util_avg == 750 / 8
        return
    with pytest.raises(MetricsError) as caught:
        read_file(path)
    assert message in caught.value.message
    assert caught.value.line == line
    assert str(caught.value).startswith(str(path))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_metrics_file_never_crashes(tmp_path, text):
    path = tmp_path / "m.csv"
    path.write_text(text)
    try:
        read_file(path)
    except MetricsError as exc:
        assert "\n" not in str(exc)


def test_bad_metrics_file_is_exit_2_one_line(tmp_path):
    import io

    from costwarden.cli import World, main

    (tmp_path / "m.csv").write_text("resource,gpu_util_avg\nx,lots\n")
    err = io.StringIO()
    code = main(
        ["scan", str(PLAN), "--metrics-file", str(tmp_path / "m.csv")],
        World(io.StringIO(), err, io.BytesIO(), {}, tmp_path),
    )
    assert code == 2
    assert err.getvalue() == f"costwarden: error: {tmp_path / 'm.csv'}:2: gpu_util_avg: not a number: 'lots'\n"


def test_created_resources_have_no_history_and_unmeasured_ones_say_so(tmp_path):
    plan = json.loads(PLAN.read_text())
    plan["resource_changes"][0]["change"]["actions"] = ["create"]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result = scan([str(tmp_path / "plan.json")], ScanOptions(metrics=[FileSource(CSV)]))
    assert not any(v.policy_id == "CW201" for v in result.violations)
    assert any(w.message == "no utilization history: this change creates it" for w in result.warnings)
    (tmp_path / "empty.csv").write_text("resource,gpu_util_avg\n")
    result = scan([str(PLAN)], ScanOptions(metrics=[FileSource(tmp_path / "empty.csv")]))
    assert any(w.message == "no utilization measured (file)" for w in result.warnings)


# CloudWatch: the moto server


@pytest.fixture
def moto(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_cloudwatch_agent_metrics_from_the_moto_server(moto):
    now = datetime.now(UTC)
    client = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto)
    dimension = [{"Name": "InstanceId", "Value": "i-0a1b2c3d4e5f60718"}]
    for start in range(0, 1440, 20):  # a day of per-minute samples, 20 a call
        client.put_metric_data(
            Namespace="CWAgent",
            MetricData=[
                {
                    "MetricName": "nvidia_smi_utilization_gpu",
                    "Dimensions": dimension,
                    "Timestamp": now - timedelta(minutes=m),
                    "Value": 6 + m % 7,
                }
                for m in range(start, start + 20)
            ]
            + [
                {
                    "MetricName": "nvidia_smi_memory_used",
                    "Dimensions": dimension,
                    "Timestamp": now - timedelta(minutes=start),
                    "Value": 11000,
                }
            ],
        )
    source = CloudWatchSource("us-east-1", window_hours=24, endpoint_url=moto, now=lambda: now)
    result = scan([str(PLAN)], ScanOptions(metrics=[source]))
    cw201 = violation(result, "CW201")
    assert "(cloudwatch) on 8 x A100-40, below the 70% target" in cw201.message
    measured = next(r for r in result.resources).utilization
    assert 6 <= measured.gpu_util_avg <= 12 and measured.gpu_memory_peak_gib == pytest.approx(11000 / 1024)


def test_cloudwatch_sagemaker_endpoint_scaled_by_gpus(moto, tmp_path):
    from tests.plans import change, dumps, plan

    variants = [{"variant_name": "main", "instance_type": "ml.p4d.24xlarge", "initial_instance_count": 1}]
    document = plan(
        change(
            "aws_sagemaker_endpoint_configuration.llm",
            {"name": "llm-config", "production_variants": variants},
            actions=("no-op",),
            before={"name": "llm-config", "production_variants": variants},
        ),
        change(
            "aws_sagemaker_endpoint.llm",
            {"name": "llm", "endpoint_config_name": "llm-config"},
            actions=("no-op",),
            before={"name": "llm", "endpoint_config_name": "llm-config"},
        ),
        root_resources=[
            {
                "address": "aws_sagemaker_endpoint.llm",
                "mode": "managed",
                "type": "aws_sagemaker_endpoint",
                "name": "llm",
                "provider_config_key": "aws",
                "expressions": {
                    "endpoint_config_name": {
                        "references": [
                            "aws_sagemaker_endpoint_configuration.llm.name",
                            "aws_sagemaker_endpoint_configuration.llm",
                        ]
                    }
                },
            }
        ],
    )
    (tmp_path / "plan.json").write_bytes(dumps(document))
    now = datetime.now(UTC)
    client = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto)
    dims = [{"Name": "EndpointName", "Value": "llm"}, {"Name": "VariantName", "Value": "main"}]
    client.put_metric_data(
        Namespace="/aws/sagemaker/Endpoints",
        MetricData=[
            {
                "MetricName": "GPUUtilization",
                "Dimensions": dims,
                "Timestamp": now - timedelta(minutes=10 * m + 1),
                "Value": 80,
            }
            for m in range(10)
        ],
    )
    client.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": dims,
                "Timestamp": now - timedelta(minutes=10 * m + 1),
                "Value": 100,
            }
            for m in range(10)
        ],
    )
    source = CloudWatchSource("us-east-1", window_hours=2, endpoint_url=moto, now=lambda: now)
    result = scan([str(tmp_path / "plan.json")], ScanOptions(metrics=[source]))
    resource = next(r for r in result.resources if r.type == "aws_sagemaker_endpoint_configuration")
    assert resource.utilization.gpu_util_avg == pytest.approx(10)  # 80 of 800 (8 GPUs)
    assert resource.utilization.requests_per_hour == pytest.approx(1000 / 2)


def test_cloudwatch_unreachable_and_auth_errors_are_warnings(tmp_path):
    closed = CloudWatchSource("us-east-1", endpoint_url="http://127.0.0.1:9", timeout=1)
    result = scan([str(PLAN)], ScanOptions(metrics=[closed]))
    assert any(w.message.startswith("cloudwatch: EndpointConnectionError") for w in result.warnings)
    assert not any(v.policy_id == "CW201" for v in result.violations)
    with denying_server() as url:
        result = scan([str(PLAN)], ScanOptions(metrics=[CloudWatchSource("us-east-1", endpoint_url=url, timeout=2)]))
    assert any(w.message.startswith("cloudwatch: ClientError") and "AccessDenied" in w.message for w in result.warnings)


# Prometheus: the real server


def test_prometheus_dcgm_joins_ec2_by_hostname_and_kubernetes_by_pods(tmp_path):
    now = int(time.time()) // 300 * 300
    with prometheus(tmp_path, now) as url:
        source = PrometheusSource(
            url, window_hours=24, request_rate_query="sum by (namespace, pod) (vllm_requests_per_second)"
        )
        result = scan([str(PLAN)], ScanOptions(metrics=[source]))
        cw201 = violation(result, "CW201")
        assert "(prometheus) on 8 x A100-40" in cw201.message
        measured = result.resources[0].utilization
        assert 9 <= measured.gpu_util_avg <= 10 and measured.gpu_memory_peak_gib == 12.0
        manifest = tmp_path / "d.yaml"
        manifest.write_text(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: llm-7d9f, namespace: serving}\nspec:\n  replicas: 2\n"
            "  template:\n    spec:\n      nodeSelector: {node.kubernetes.io/instance-type: g5.xlarge}\n"
            "      containers: [{name: v, image: vllm/vllm-openai, resources: {limits: {nvidia.com/gpu: 1}}}]\n"
        )
        result = scan([str(manifest)], ScanOptions(metrics=[source]))
        measured = result.resources[0].utilization
        assert 20 <= measured.gpu_util_avg <= 29
        assert measured.requests_per_hour == pytest.approx(1800)
        bad = PrometheusSource(url, window_hours=24, request_rate_query="sum by (")
        result = scan([str(PLAN)], ScanOptions(metrics=[bad]))
        assert any(w.message.startswith("prometheus: HTTP 400") for w in result.warnings)


def test_prometheus_timeout_and_empty_answers(tmp_path):
    with silent_server() as url:
        result = scan([str(PLAN)], ScanOptions(metrics=[PrometheusSource(url, timeout=0.5)]))
    assert any(w.message.startswith("prometheus: ") and "did not answer" in w.message for w in result.warnings)
    now = int(time.time()) // 300 * 300
    with prometheus(tmp_path, now) as url:
        far = PrometheusSource(url, window_hours=1, now=lambda: datetime.now(UTC) - timedelta(days=30))
        result = scan([str(PLAN)], ScanOptions(metrics=[far]))
    assert result.resources[0].utilization is None
    assert any(w.message == "no utilization measured (prometheus)" for w in result.warnings)


# small loopback servers for failure cases


class _Serve:
    def __init__(self, handle):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.handle = handle
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(connection,), daemon=True).start()


class _Context:
    def __init__(self, handle):
        self.server = _Serve(handle)

    def __enter__(self):
        self.server.thread.start()
        return f"http://127.0.0.1:{self.server.socket.getsockname()[1]}"

    def __exit__(self, *exc):
        self.server.socket.close()


def silent_server():
    return _Context(lambda connection: time.sleep(3) or connection.close())


def denying_server():
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message>"
        b"</Error></ErrorResponse>"
    )

    def handle(connection):
        connection.recv(65536)
        connection.sendall(
            b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        connection.close()

    return _Context(handle)
