"""Pracha (ประชา): an open-source one-stop digital government platform."""

__version__ = "0.1.0"
