"""Key figures of a fiscal year (PCMN), answered from the sums the ledger import computed."""
