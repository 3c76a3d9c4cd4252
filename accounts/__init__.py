"""People: users, their departments, roles and language; signing in and API tokens."""
