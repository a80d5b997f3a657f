# Every taggable resource carries the cost-allocation tags finance uses to split the bill.
# The Rego twin of costwarden/policies/cw101_missing_cost_allocation_tags.py.
package costwarden.cw101

import rego.v1

tags := data.costwarden.config.tags

required(r) := tags.required_by_type[r.type]

required(r) := tags.required if not tags.required_by_type[r.type]

# How each cloud compares keys: Google labels use _ for :, Kubernetes label keys are prefix/name,
# Azure ignores case, AWS compares exactly.
normalize("google", key) := regex.replace(lower(key), `[^a-z0-9_-]`, "_")

normalize("azure", key) := lower(key)

normalize("kubernetes", key) := k8s_key(replace(lower(key), ":", "/"))

normalize(provider, key) := key if not provider in {"google", "azure", "kubernetes"}

k8s_key(key) := sprintf("%s/%s", [split(prefix, ".")[0], name]) if {
	parts := split(key, "/")
	count(parts) > 1
	name := parts[count(parts) - 1]
	prefix := concat("/", array.slice(parts, 0, count(parts) - 1))
}

k8s_key(key) := key if not contains(key, "/")

# A present key whose value is unknown until apply counts; an empty value does not.
usable(keys, key) if keys[key] == null

usable(keys, key) if trim_space(keys[key]) != ""

missing(r) := [key |
	keys := {normalize(r.provider, name): value | some name, value in r.tags}
	some key in required(r)
	not usable(keys, normalize(r.provider, key))
]

noun(keys) := "tag" if count(keys) == 1

noun(keys) := "tags" if count(keys) != 1

# METADATA
# title: Resource is missing cost-allocation tags
# custom:
#   id: CW101
#   name: missing-cost-allocation-tags
#   severity: high
violation contains result if {
	some r in input.resources
	r.exists_after
	r.taggable
	not "tags" in r.unknown
	keys := missing(r)
	count(keys) > 0
	listed := concat(", ", keys)
	result := {
		"msg": sprintf("missing cost-allocation %s: %s", [noun(keys), listed]),
		"resource": r.key,
		"remediation": sprintf("Add %s to the resource's tags, or once for every resource through the provider's default_tags (AWS) or default_labels (Google).", [listed]),
	}
}
