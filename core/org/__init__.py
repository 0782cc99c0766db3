"""Departments, users, roles, permissions and service tokens."""
