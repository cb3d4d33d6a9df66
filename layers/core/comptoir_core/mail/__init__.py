"""E-mail intake: per-mailbox addresses, and inbound messages turned into documents.

SES (or the local SMTP listener) stores each raw message under `inbound/` in the documents bucket; the
`ingest_email` worker reads it, finds the addressed mailboxes, picks the parts worth importing and hands
each to `comptoir_core.documents.intake.store_incoming`, keeping a record of what it did and why.
"""
