"""The registry's date formats where Django's own do not suit it (``FORMAT_MODULE_PATH``).

Django looks here first, per language, and falls back to its own format module for every
name a module here does not define.
"""
