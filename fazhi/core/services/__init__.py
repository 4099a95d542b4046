"""Core services: every state change of the kernel. One module per area.

Each service checks the actor's capability and scope first, validates its input, then writes in
one durable transaction that also appends the audit event. ``actor=None`` is the system itself
(the ``fazhi demo`` bootstrap and other CLI commands); a web request always passes its user.
"""
