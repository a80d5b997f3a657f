# Spot training checkpoints. The Rego twin of cw302_spot_without_checkpoint.py; the engine
# prices the expected rework (Rego never computes money).
package costwarden.cw302

import rego.v1

# METADATA
# title: Spot training without checkpoints
# custom:
#   id: CW302
#   name: spot-without-checkpoint
#   severity: high
violation contains result if {
	some r in input.resources
	r.exists_after
	r.compute.market == "spot"
	r.workload == "training"
	r.training.checkpoint == false
	result := {
		"msg": "spot training without checkpoints: every interruption restarts the run",
		"resource": r.key,
		"remediation": "Checkpoint to durable storage (SageMaker CheckpointConfig.S3Uri, or a volume and resume path).",
		"remedy": {"changes": {"checkpoint": true}, "description": "checkpointing"},
	}
}
