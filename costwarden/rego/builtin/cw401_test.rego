package costwarden.cw401_test

import rego.v1

config := {"inference": {"production_environments": ["prod"], "production_min_replicas": 1, "active_hours_per_month": 260.7}}

workload(environment, minimum) := {
	"key": "p::d", "address": "d", "exists_after": true, "category": "inference_workload", "workload": "inference",
	"environment": environment, "scaling": {"min": minimum}, "compute": {"gpu": {"count": 1}},
}

test_dev_never_at_zero_fails if {
	some result in data.costwarden.cw401.violation with input as {"resources": [workload("dev", 1)]}
		with data.costwarden.config as config
	result.msg == "GPU inference keeps at least 1 replicas running outside production; allowed: 0"
	result.remedy.changes == {"min_replicas": 0, "active_hours_per_month": 260.7}
}

test_production_floor_passes if {
	count(data.costwarden.cw401.violation) == 0 with input as {"resources": [workload("prod", 1), workload("dev", 0)]}
		with data.costwarden.config as config
}
