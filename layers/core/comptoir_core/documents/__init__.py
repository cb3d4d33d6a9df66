"""Documents: mailboxes and the documents received in them."""
