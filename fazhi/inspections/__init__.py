"""Random inspections (双随机、一公开): item list, inspector pool, plans, draws, tasks, results."""
