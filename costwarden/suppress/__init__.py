"""Saying "not this one", honestly: inline ignores, a waivers file, a baseline.

Every suppression has a reason and a place it is written; waivers have an owner and an
expiry. Suppressed violations stay in the result, with the suppression, for every report.
"""
