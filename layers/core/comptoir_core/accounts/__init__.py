"""Accounts: firms, companies, users, memberships and company settings."""
