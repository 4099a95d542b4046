"""Rule packs (placeholder until the loader lands)."""


def load_packs() -> None:
    return None
