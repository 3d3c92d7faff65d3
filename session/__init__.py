"""The session: the conversation as its user lives it, apart from sockets and screens.

Turns, the draft's fate, commands, the game table, the transcript and what to show. It takes
events (from a connection) and what the user typed (from a face), and gives frames to send
(to a connection) and things to show (to a view). It imports no sockets and no terminal:
the layers below it are wire/ and games/; net/, roles/ and faces/ build on it.
"""
