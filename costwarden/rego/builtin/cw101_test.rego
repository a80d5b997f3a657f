package costwarden.cw101_test

import rego.v1

config := {"tags": {"required": ["finops:team", "finops:service"], "required_by_type": {}}}

resource(provider, tags) := {
	"key": "p::r", "address": "r", "type": "aws_instance", "provider": provider,
	"exists_after": true, "taggable": true, "unknown": [], "tags": tags,
}

test_missing_tags_fail if {
	results := data.costwarden.cw101.violation with input as {"resources": [resource("aws", {"finops:team": "ml"})]}
		with data.costwarden.config as config
	some result in results
	result.msg == "missing cost-allocation tag: finops:service"
}

test_all_tags_pass if {
	results := data.costwarden.cw101.violation with input as {"resources": [resource("aws", {"finops:team": "ml", "finops:service": "x"})]}
		with data.costwarden.config as config
	count(results) == 0
}

test_google_labels_and_kubernetes_keys_pass if {
	google := resource("google", {"finops_team": "ml", "finops_service": "x"})
	kubernetes := resource("kubernetes", {"finops.example.com/team": "ml", "finops/service": "x"})
	results := data.costwarden.cw101.violation with input as {"resources": [google, kubernetes]}
		with data.costwarden.config as config
	count(results) == 0
}

test_empty_value_counts_as_missing if {
	results := data.costwarden.cw101.violation with input as {"resources": [resource("aws", {"finops:team": " ", "finops:service": "x"})]}
		with data.costwarden.config as config
	count(results) == 1
}
