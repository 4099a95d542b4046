"""Registry services: every state change of the directory; nothing else writes registry rows.
One module per area.
"""
