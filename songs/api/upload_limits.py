"""An upload refused while it streams in, once it is larger than an endpoint allows.

Django writes a multipart file to a temporary file as it arrives and lets the view check its size
only afterwards: a client could make each web process write gigabytes before hearing no. Put
first in ``request.upload_handlers``, ``SizeLimitedUpload`` stops reading at once: by the length
the request declares, before a byte of it is read, or by the bytes of its files as they arrive
(a chunked request, or one whose declared length lies).
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler
from rest_framework.exceptions import APIException

# Room in a request's declared length for the multipart boundaries and the small form fields.
FORM_OVERHEAD_BYTES = 64 * 1024


class UploadTooLarge(APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = "The upload is larger than this endpoint accepts."


class SizeLimitedUpload(FileUploadHandler):
    """Raises UploadTooLarge (a 413 answer) as soon as the files of a request pass ``max_bytes``
    together; passes every chunk on to the next handlers untouched until then."""

    def __init__(self, request=None, *, max_bytes: int, message: str) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.message = message
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        if content_length > self.max_bytes + FORM_OVERHEAD_BYTES:
            raise UploadTooLarge(self.message)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            raise UploadTooLarge(self.message)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file
