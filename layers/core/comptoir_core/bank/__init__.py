"""Bank statements: CODA files read, stored per account, listed, and matched to documents."""
