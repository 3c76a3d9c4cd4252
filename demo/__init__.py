"""Demo and benchmark data: `seed_demo` (a team, its projects and a year of their work) and
`seed_scale` (a portfolio of any size for the benchmark)."""
