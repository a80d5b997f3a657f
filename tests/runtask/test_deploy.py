"""``deploy/``: costwarden's own policies pass on the manifests that run it."""

from __future__ import annotations

from pathlib import Path

import yaml

from costwarden.engine.scan import scan
from costwarden.loaders import Document
from costwarden.model import Severity

DEPLOY = Path(__file__).parents[2] / "deploy"


def test_costwardens_policies_pass_on_its_own_manifests() -> None:
    result = scan(DEPLOY / "kubernetes")
    assert not result.errors
    assert {r.type for r in result.resources} == {"StatefulSet", "HorizontalPodAutoscaler"}
    assert result.violations == () and result.exit_code(Severity.INFO) == 0


def test_the_same_manifests_without_their_labels_fail() -> None:
    text = (DEPLOY / "kubernetes" / "statefulset.yaml").read_text().replace("finops/team: platform", "")
    result = scan(Document("statefulset.yaml", text.encode(), "kubernetes"))
    assert [v.policy_id for v in result.violations] == ["CW101"]


def test_the_manifests_wire_probes_the_journal_volume_and_the_secret() -> None:
    statefulset = yaml.safe_load((DEPLOY / "kubernetes" / "statefulset.yaml").read_text())
    container = statefulset["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"name": "journal", "mountPath": "/journal"} in container["volumeMounts"]
    assert statefulset["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "journal"
    assert {"name": "COSTWARDEN_HMAC_KEY_FILE", "value": "/secrets/hmac-key"} in container["env"]
    secret = yaml.safe_load((DEPLOY / "kubernetes" / "secret.yaml").read_text())
    assert secret["metadata"]["name"] == statefulset["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert '"--journal", "/journal/journal.sqlite3"' in dockerfile and "costwarden[serve]" in dockerfile
