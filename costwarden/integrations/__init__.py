"""Thin shells over ``scan()``: pre-commit, GitHub Actions, Terraform Cloud run tasks."""
