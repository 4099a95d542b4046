"""The one way a user-uploaded file leaves the server (decision 0010).

Every attachment response, whichever domain links to it, is built here: the type detected from
the stored content (never the client's), inline only for a raster image that decodes, a download
for everything else, ``nosniff``, and a sandboxing CSP so that even a file a browser chose to
render could run no script and load nothing.
"""

from __future__ import annotations

from django.http import FileResponse

from fazhi.core.attachments import detected_type, is_inline_image
from fazhi.core.models import User
from fazhi.core.selectors.attachments import attachment_open

# A document under this policy is an opaque origin with scripts, forms, plugins and every fetch
# disabled; images shown by <img> are unaffected (a subresource's own CSP does not apply).
UPLOAD_CSP = "sandbox; default-src 'none'"


def attachment_response(*, user: User, pk: int, inline: bool = False) -> FileResponse:
    """Serve attachment ``pk`` (scoped like every read). ``inline`` asks for in-page display,
    granted only to images; anything else is sent as a download."""
    attachment, handle = attachment_open(user=user, pk=pk)
    content_type = detected_type(attachment)
    response = FileResponse(
        handle,
        as_attachment=not (inline and is_inline_image(content_type)),
        filename=attachment.filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP  # django-csp keeps a header already set
    return response
