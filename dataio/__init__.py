"""Import and export: projects and customers from CSV/XLSX files, lists and KPIs out to them."""
