"""The browser verifier's page is public, self-contained and linked from every draw page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.django_db
def test_verify_page_is_public_and_loads_its_own_script(client: Client):
    response = client.get("/public/verify/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "portal/verify_draw.js" in body
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body  # no CDN
    script = finders.find("portal/verify_draw.js")
    assert script is not None
    source = Path(str(script)).read_text(encoding="utf-8")
    assert "crypto.subtle.digest" in source
    assert "fetch(" not in source and "XMLHttpRequest" not in source  # nothing leaves the browser
