"""Generated files on disk: content hashes and provenance, the source key and
the loader that reuses a current file."""
