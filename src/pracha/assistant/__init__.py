"""The Thai assistant: finds the service, answers with sources, tracks the citizen's applications."""
