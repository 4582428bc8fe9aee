"""The Rasa channel: the action server endpoint and the project's actions."""
