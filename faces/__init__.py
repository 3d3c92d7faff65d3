"""The two faces of turnchat: `interactive` (prompt_toolkit, for a person at a terminal) and
`plain` (lines on stdin and stdout, for pipes and scripts). Both are thin drivers around
`chat.Chat`; whatever the peer says reaches either face only through `sanitize.py`.
"""
