"""Standard reports (trial balance, income statement, balance sheet, aged items, general ledger, VAT),
built as tables from the ledger's stored figures and rendered to Excel here or to PDF in comptoir_pdf."""
