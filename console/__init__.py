"""The organisation department's web console, served by the bot's own HTTP server at /console/.

console/app.py builds the Starlette app from one explicit table of pages; console/web.py is the small frame
every page runs in (sign-in check, CSRF, one unit of work, the audit log, templates); console-README-dev.md
tells how to add a page.
"""
