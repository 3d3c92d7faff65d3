"""Sockets on one thread: a small reactor for the plain face (asyncio's loop serves the
interactive face through the same few methods), the link that carries one conversation,
and the polite way to close a connection.
"""
