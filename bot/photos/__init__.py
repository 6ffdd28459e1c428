"""A resident's photo, from the channel to the back office.

`download` fetches it from the channel's own media hosts (capped), `pipeline` checks and cleans it (type by
content, pixel and size caps, GPS read, metadata stripped), `store` keeps it and gives it a public URL, and
`intake` is what a connector calls to do all three.
"""
