"""Template tags of the enforcement pages."""
