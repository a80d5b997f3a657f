package costwarden.cw302_test

import rego.v1

job(checkpoint) := {
	"key": "p::j", "address": "j", "exists_after": true, "workload": "training",
	"compute": {"market": "spot"}, "training": {"checkpoint": checkpoint},
}

test_spot_without_checkpoint_fails if {
	some result in data.costwarden.cw302.violation with input as {"resources": [job(false)]}
	result.remedy.changes == {"checkpoint": true}
}

test_checkpointed_or_unknown_passes if {
	count(data.costwarden.cw302.violation) == 0 with input as {"resources": [job(true), job(null)]}
}
