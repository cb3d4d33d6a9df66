"""Why a received file cannot become a working PDF. Each error carries a human `message`.

The documents pipeline records the message on the document (the original is kept either way); none
of these is worth a retry: the same bytes fail the same way.
"""


class DocumentError(Exception):
    """A received file that cannot be normalised. `code` is stable, `message` is for people."""

    code = "document_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NeedsPassword(DocumentError):
    """The PDF opens only with a password we do not have."""

    code = "needs_password"

    def __init__(self, message: str = "The PDF is protected by a password. Please send a copy without one."):
        super().__init__(message)


class Unreadable(DocumentError):
    """The bytes claim a format but are too damaged (or empty) to read."""

    code = "unreadable"

    def __init__(self, reason: str):
        super().__init__(f"The file cannot be read: {reason}.")
        self.reason = reason


class TooManyPages(DocumentError):
    """More pages than one document may have."""

    code = "too_many_pages"

    def __init__(self, pages: int | None, limit: int):
        counted = f"has {pages} pages" if pages is not None else f"has more than {limit} pages"
        super().__init__(f"The document {counted}; at most {limit} are accepted. Please send it in parts.")
        self.pages = pages
        self.limit = limit


class Unsupported(DocumentError):
    """A kind of file we do not turn into a PDF (an executable, an archive, a spreadsheet, ...)."""

    code = "unsupported"

    def __init__(self, kind: str):
        super().__init__(
            "This type of file is not supported. Send a PDF, a photo (JPEG, PNG), a TIFF scan, "
            "an HTML page or an e-invoice (UBL, CII)."
        )
        self.kind = kind
