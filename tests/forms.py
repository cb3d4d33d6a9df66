"""multipart/form-data bodies, as browsers send them: for uploads and for S3's presigned POST."""

import uuid


def multipart(*files: tuple[str, bytes], **fields: str) -> tuple[str, bytes]:
    """(content type, body) with the plain fields first, then each file as a `file` part."""
    boundary = uuid.uuid4().hex
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    chunks += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for filename, data in files
    ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)
