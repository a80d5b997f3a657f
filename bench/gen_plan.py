"""Generate a realistic ``terraform show -json`` plan of N resources.

Teams as modules with ``for_each`` environments, provider ``default_tags``, GPU and CPU
instances, launch templates with Auto Scaling groups, EKS node groups, buckets, security
groups and IAM attachments; creates, updates with ``prior_state``, no-ops and deletes;
``after_unknown`` ids and a few unknown tags. Deterministic for a given N.

``violating=True`` is a tag policy's first day: no ``default_tags`` and no team tag, IAM roles
instead of policy attachments, so every resource breaks CW101 at least once.

    python bench/gen_plan.py 10000 bench/out/plan-10000.json [--violating]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

AWS = "registry.terraform.io/hashicorp/aws"
CPU = ["t3.medium", "m5.large", "m5.2xlarge", "c5.4xlarge", "r5.xlarge", "m7i.8xlarge"]
GPU = [
    "g5.xlarge",
    "g5.12xlarge",
    "g6.xlarge",
    "g6e.12xlarge",
    "p4d.24xlarge",
    "p5.48xlarge",
    "inf2.xlarge",
]
ENVS = ["prod", "staging", "dev"]
REQUIRED = ["finops:team", "finops:service", "finops:environment", "finops:cost-center"]


def _tags(rng: random.Random, team: str, env: str) -> dict[str, str]:
    tags = {
        "finops:service": f"{team}-svc-{rng.randrange(20)}",
        "Name": f"{team}-{rng.randrange(10**6)}",
    }
    if rng.random() < 0.8:
        tags["finops:cost-center"] = f"CC-{rng.randrange(1000, 9999)}"
    return tags


def _block_devices(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "device_name": f"/dev/sd{c}",
            "volume_size": rng.choice([50, 100, 500]),
            "volume_type": "gp3",
            "encrypted": True,
            "delete_on_termination": True,
            "iops": 3000,
            "throughput": 125,
            "kms_key_id": None,
            "snapshot_id": None,
            "tags": None,
        }
        for c in "bf"[: rng.randrange(1, 3)]
    ]


def _instance(rng: random.Random, tags: dict[str, str], defaults: dict[str, str]) -> dict[str, Any]:
    return {
        "ami": f"ami-{rng.randrange(16**12):012x}",
        "instance_type": rng.choice(GPU if rng.random() < 0.3 else CPU),
        "associate_public_ip_address": False,
        "availability_zone": None,
        "credit_specification": [],
        "disable_api_stop": False,
        "disable_api_termination": False,
        "ebs_block_device": _block_devices(rng),
        "ebs_optimized": True,
        "get_password_data": False,
        "hibernation": None,
        "iam_instance_profile": "ml-node",
        "instance_initiated_shutdown_behavior": "stop",
        "instance_market_options": [],
        "key_name": None,
        "launch_template": [],
        "metadata_options": [
            {
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 2,
                "instance_metadata_tags": "disabled",
            }
        ],
        "monitoring": True,
        "root_block_device": [{"volume_size": 100, "volume_type": "gp3", "encrypted": True}],
        "source_dest_check": True,
        "subnet_id": f"subnet-{rng.randrange(16**8):08x}",
        "tags": tags,
        "tags_all": {**defaults, **tags},
        "timeouts": None,
        "user_data_replace_on_change": False,
        "volume_tags": None,
        "vpc_security_group_ids": [f"sg-{rng.randrange(16**8):08x}"],
    }


def generate(n: int, seed: int = 7, *, violating: bool = False) -> dict[str, Any]:
    rng = random.Random(seed)
    teams = [f"team{i:03d}" for i in range(max(1, n // 60))]
    changes: list[dict[str, Any]] = []
    prior: list[dict[str, Any]] = []
    config_resources: dict[str, dict[str, Any]] = {}
    defaults = {} if violating else {"finops:environment": "prod", "finops:team": "platform"}
    while len(changes) < n:
        team = rng.choice(teams)
        env = rng.choice(ENVS)
        module = f'module.{team}["{env}"]'
        kind = rng.random()
        index = len(changes)
        tags = _tags(rng, team, env)
        after_unknown: dict[str, Any] = {"id": True, "arn": True, "tags_all": {}}
        if rng.random() < 0.02:
            after_unknown["tags_all"] = True
        if kind < 0.45:
            rtype, name, after = "aws_instance", f"node{index}", _instance(rng, tags, defaults)
            after["id"] = f"i-{index:017x}"
            after_unknown.update({"private_ip": True, "public_ip": True, "availability_zone": True})
        elif kind < 0.55:
            itype = rng.choice(GPU + CPU)
            lt = f"lt{index}"
            changes.append(
                _change(
                    f"{module}.aws_launch_template.{lt}",
                    module,
                    "aws_launch_template",
                    lt,
                    {
                        "name_prefix": f"{team}-",
                        "image_id": "ami-0123456789abcdef0",
                        "instance_type": itype,
                        "instance_market_options": [],
                        "tag_specifications": [],
                        "tags": tags,
                        "tags_all": {**defaults, **tags},
                    },
                    {"id": True, "arn": True, "latest_version": True},
                    ("create",),
                )
            )
            rtype, name = "aws_autoscaling_group", f"asg{index}"
            after = {
                "name": f"{team}-{index}",
                "min_size": 1,
                "max_size": 10,
                "desired_capacity": rng.randrange(1, 6),
                "launch_template": [{"version": "$Latest"}],
                "mixed_instances_policy": [],
                "tag": [] if violating else [{"key": "finops:team", "value": team, "propagate_at_launch": True}],
            }
            after_unknown.update({"launch_template": [{"id": True}]})
            config_resources[f"{team}:aws_autoscaling_group.{name}"] = {
                "address": f"aws_autoscaling_group.{name}",
                "mode": "managed",
                "type": "aws_autoscaling_group",
                "name": name,
                "provider_config_key": "aws",
                "expressions": {
                    "launch_template": [
                        {
                            "id": {
                                "references": [
                                    f"aws_launch_template.{lt}.id",
                                    f"aws_launch_template.{lt}",
                                ]
                            }
                        }
                    ]
                },
            }
        elif kind < 0.60:
            rtype, name = "aws_eks_node_group", f"ng{index}"
            after = {
                "cluster_name": team,
                "instance_types": [rng.choice(GPU)],
                "capacity_type": rng.choice(["SPOT", "ON_DEMAND"]),
                "scaling_config": [{"desired_size": rng.randrange(0, 4), "min_size": 0, "max_size": 8}],
                "launch_template": [],
                "tags": tags,
                "tags_all": {**defaults, **tags},
            }
        elif kind < 0.80:
            rtype, name = "aws_s3_bucket", f"bucket{index}"
            after = {
                "bucket": f"{team}-{index}",
                "force_destroy": False,
                "tags": tags,
                "tags_all": {**defaults, **tags},
            }
        elif kind < 0.92:
            rtype, name = "aws_security_group", f"sg{index}"
            after = {
                "name": f"{team}-{index}",
                "description": "managed",
                "egress": [],
                "ingress": [
                    {
                        "from_port": 443,
                        "to_port": 443,
                        "protocol": "tcp",
                        "cidr_blocks": ["10.0.0.0/8"],
                    }
                ],
                "revoke_rules_on_delete": False,
                "tags": tags,
                "tags_all": {**defaults, **tags},
            }
        elif violating:
            rtype, name = "aws_iam_role", f"role{index}"
            after = {"name": f"{team}-role-{index}", "assume_role_policy": "{}", "tags": tags, "tags_all": tags}
        else:
            rtype, name = "aws_iam_role_policy_attachment", f"attach{index}"
            after = {
                "role": f"{team}-role",
                "policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            }
            after_unknown = {"id": True}
        roll = rng.random()
        actions = (
            ("create",) if roll < 0.5 else ("no-op",) if roll < 0.85 else ("update",) if roll < 0.97 else ("delete",)
        )
        address = f"{module}.{rtype}.{name}"
        if actions != ("create",):
            prior.append(
                {
                    "address": address,
                    "mode": "managed",
                    "type": rtype,
                    "name": name,
                    "provider_name": AWS,
                    "schema_version": 1,
                    "values": after,
                }
            )
        changes.append(_change(address, module, rtype, name, after, after_unknown, actions))
    changes = changes[:n]
    module_calls = {
        team: {
            "source": "./modules/team",
            "for_each_expression": {"references": ["var.envs"]},
            "module": {"resources": [r for key, r in config_resources.items() if key.startswith(team + ":")]},
        }
        for team in teams
    }
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {"envs": {"value": ENVS}},
        "planned_values": {
            "root_module": {
                "child_modules": [
                    {
                        "address": c["module_address"],
                        "resources": [
                            {
                                "address": c["address"],
                                "mode": "managed",
                                "type": c["type"],
                                "name": c["name"],
                                "provider_name": AWS,
                                "schema_version": 1,
                                "values": c["change"]["after"] or {},
                            }
                        ],
                    }
                    for c in changes
                ]
            }
        },
        "resource_changes": changes,
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": "1.9.8",
            "values": {"root_module": {"resources": prior}},
        },
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": AWS,
                    "expressions": {
                        "region": {"constant_value": "us-east-1"},
                        "default_tags": [{"tags": {"constant_value": defaults}}] if defaults else [],
                    },
                }
            },
            "root_module": {"module_calls": module_calls},
        },
        "timestamp": "2026-11-29T12:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def _change(
    address: str,
    module: str,
    rtype: str,
    name: str,
    after: dict[str, Any],
    after_unknown: dict[str, Any],
    actions: tuple[str, ...],
) -> dict[str, Any]:
    gone = actions == ("delete",)
    return {
        "address": address,
        "module_address": module,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": AWS,
        "change": {
            "actions": list(actions),
            "before": None if actions == ("create",) else after,
            "after": None if gone else after,
            "after_unknown": {} if gone else after_unknown,
            "before_sensitive": False if actions == ("create",) else {},
            "after_sensitive": {} if not gone else False,
        },
    }


def main(argv: list[str]) -> int:
    n, out = int(argv[1]), Path(argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(generate(n, violating="--violating" in argv), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
