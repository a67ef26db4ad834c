"""Services: what the pages and the command line do, in plain Python over a Session."""
