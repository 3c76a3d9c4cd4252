"""监控评估: reviews, risks and the alerts that keep projects from drifting."""
