"""Threshold Guide: guidance on the Warrington Threshold of Need for people who work with children."""

__version__ = "0.1.0"
