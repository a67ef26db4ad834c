"""Streamlit glue shared by the pages: the engine, the signed-in user, small components.
Pages stay thin: read the session, call a service, render."""
