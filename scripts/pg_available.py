"""Exit 0 when a PostgreSQL server answers at the given URL's host and port, else 1."""

import socket
import sys
from urllib.parse import urlparse

url = urlparse(sys.argv[1] if len(sys.argv) > 1 else "postgres://127.0.0.1:5432/")
try:
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), timeout=2):
        pass
except OSError:
    sys.exit(1)
sys.exit(0)
