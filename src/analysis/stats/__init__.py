"""Pure statistics (arrays or tidy frames in, tidy frames out; no project IO).
"""
