"""The two faces of turnchat: `interactive` (prompt_toolkit, for a person at a terminal) and
`plain` (lines on stdin and stdout, for pipes and scripts). Both only draw and read keys,
around the same session (session/chat.py), which decides everything and sanitises every
string from the peer before a face sees it.
"""
