"""A corpus of bad and odd inputs for s2sad, one module per category.

Each module lists its ``ENTRIES`` (see :mod:`corpus.entry`); tests/test_corpus.py
runs every one and asserts its expectation.
"""
