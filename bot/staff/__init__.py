"""The staff dashboard at ``/iro/...``: IROs, their managers, duty staff and admins.

Server-rendered pages (Jinja2, no front-end build). One access module (``access.py``) decides
which reviews and alerts each member of staff may see, and every page, print, export and
search goes through it.
"""
