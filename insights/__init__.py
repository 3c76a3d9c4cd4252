"""What the cycle adds up to: KPI snapshots and rollups, project health, the director's
dashboard, the lessons knowledge base and each role's home page."""
