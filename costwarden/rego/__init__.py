"""Rego policies and the engines that evaluate them (embedded, OPA server): issue 5."""
