"""The firm's ledger of a client company: snapshots per fiscal year, checked line by line, with the figures
the dashboard, histories and reports need computed once at import."""
