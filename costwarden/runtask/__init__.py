"""``costwarden serve``: an HCP Terraform / Terraform Enterprise run task.

Every plan in every workspace that has the run task is scanned, and the run shows each
violation with its dollars. The wire protocol follows HashiCorp's run task integration docs:
an HMAC-signed POST, an immediate 200, then PATCH callbacks with the verdict and outcomes.
"""
