"""Facts about IR that the frontend and the passes share: the verifier, array
shapes, parameter kinds and which stored values are numbers."""
