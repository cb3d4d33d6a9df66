"""Approvals: invoice and payment approval rules, and the chains that wait for the approvers."""
