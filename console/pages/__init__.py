"""The console's pages, one module per subject; the route table is console/app.py PAGES."""
