"""Communication: conversations with the accountant, their attachments, and "VAT documents OK"."""
