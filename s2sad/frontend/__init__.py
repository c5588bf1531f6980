"""Python source to IR: parsing, lowering statements and expressions, control
flow, arrays, lists, loop sources and side effects."""
