"""Trustworthiness, stage 8 (``rules/trust.smk``): INSPECT-SR's 21 checks for each
randomised trial, answered from the audit, the findings and "Is the effect real?".
May import every earlier stage."""
