"""Custom actions of the Tongban bot (rasa_sdk). They reach the app only through ``actions.client``."""
