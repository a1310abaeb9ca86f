"""The live path: the event log, the per-process hub, the reader socket.

The only package that talks to the channel layer.
"""
