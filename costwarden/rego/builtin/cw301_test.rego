package costwarden.cw301_test

import rego.v1

job(market, spot) := {
	"key": "p::TrainingJob/ft", "address": "TrainingJob/ft", "exists_after": true, "workload": "training",
	"compute": {"market": market, "gpu": {"count": 8}, "instance_type": "ml.p4d.24xlarge"},
	"training": {"spot": spot},
}

test_on_demand_training_fails_with_a_spot_remedy if {
	some result in data.costwarden.cw301.violation with input as {"resources": [job("on_demand", false)]}
	result.remedy.changes == {"market": "spot"}
}

test_spot_training_passes if {
	count(data.costwarden.cw301.violation) == 0 with input as {"resources": [job("spot", true)]}
}

test_run_time_choice_is_not_a_violation if {
	count(data.costwarden.cw301.violation) == 0 with input as {"resources": [job("on_demand", null)]}
}
