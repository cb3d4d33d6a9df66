"""Payments: EPC QR codes and SEPA pain.001 files from purchase invoices, with the guards a bank would want."""
