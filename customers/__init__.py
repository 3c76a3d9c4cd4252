"""The customers the sales projects are for, and their contacts."""
