"""A page's state and shell: the language, messages and URL syncing (``page``), URL query state (``urlstate``), the
loss form and tensor editors (``lossform``, ``editor``), state shared between pages (``viewstate``) and the cached
computations with their keys (``cached``, ``cachekey``).  The top wing: may import every other ``ui`` wing.
"""
