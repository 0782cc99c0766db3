"""Demo data: the centre's departments, service items, staff and a year of cases."""
