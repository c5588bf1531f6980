"""IR to Python source: names, the emitter, formatting, output layout and
the module text of a generated file."""
