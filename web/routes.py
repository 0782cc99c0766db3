"""Mounts the portal and admin pages."""

from fastapi import FastAPI


def mount_web(app: FastAPI) -> None:
    """Adds the web pages to the app."""
