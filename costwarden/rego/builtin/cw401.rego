# GPU inference scales to zero outside production, and to a small floor in it.
# The Rego twin of cw401_inference_always_on.py.
package costwarden.cw401

import rego.v1

inference := data.costwarden.config.inference

production(r) := true if {
	r.environment != null
	r.environment in {lower(e) | some e in inference.production_environments}
}

production(r) := false if {
	r.environment != null
	not r.environment in {lower(e) | some e in inference.production_environments}
}

floor(r) := inference.production_min_replicas if production(r) == true

floor(r) := 0 if not production(r) == true

where(r) := "in production" if production(r) == true

where(r) := "outside production" if production(r) == false

where(r) := "(environment not tagged)" if r.environment == null

applies(r) if {
	r.category != "node_pool"
	r.workload == "inference"
}

applies(r) if {
	r.category == "node_pool"
	r.workload != "training"
}

# METADATA
# title: GPU inference never scales to zero
# custom:
#   id: CW401
#   name: inference-always-on
#   severity: medium
violation contains result if {
	some r in input.resources
	r.exists_after
	r.scaling.min != null
	r.compute.gpu.count > 0
	applies(r)
	r.scaling.min > floor(r)
	result := {
		"msg": sprintf("GPU inference keeps at least %v replicas running %s; allowed: %v", [r.scaling.min, where(r), floor(r)]),
		"resource": r.key,
		"remedy": {
			"changes": {"min_replicas": floor(r), "active_hours_per_month": inference.active_hours_per_month},
			"description": sprintf("a floor of %v, the rest during the configured active hours", [floor(r)]),
		},
	}
}
