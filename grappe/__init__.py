"""Grappe: the platform a business cluster runs on."""

__version__ = "0.1.0"
