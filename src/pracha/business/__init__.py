"""Businesses as users (issue 16): acting for a juristic person known through the business registry,
directors' authorisations of employees, co-approval under the signing rule, "start a business" and
other bundles, and the business dashboard."""
