"""The entity directory (检查对象名录库): regulated entities, licences, categories, risk, points."""
