# GPU training runs on spot capacity. The Rego twin of cw301_training_on_demand.py.
package costwarden.cw301

import rego.v1

decided(r) if r.training == null

decided(r) if r.training.spot != null

# METADATA
# title: GPU training on on-demand capacity
# custom:
#   id: CW301
#   name: training-on-demand
#   severity: medium
violation contains result if {
	some r in input.resources
	r.exists_after
	r.workload == "training"
	r.compute.market == "on_demand"
	r.compute.gpu.count > 0
	decided(r)
	where := object.get(r.compute, "instance_type", null)
	result := {
		"msg": sprintf("GPU training on on-demand capacity (%s)", [described(where)]),
		"resource": r.key,
		"remedy": {"changes": {"market": "spot"}, "description": "spot capacity"},
	}
}

described(null) := "GPU nodes"

described(instance_type) := instance_type if instance_type != null
