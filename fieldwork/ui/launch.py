"""Start Streamlit on fieldwork_app.py so that the sign-in gate is always the way in.

Streamlit serves every file of a ``pages/`` folder as a page of its own (its first
multipage mode) until some session has called ``st.navigation``: the very first request
after a start could open, say, ``/users`` without going through fieldwork_app.py and list
every page in the sidebar. Each page checks the role itself (``session.require``), so
nothing would show to the wrong user, but the gate should not have a side door. Setting the
flag that Streamlit sets itself on the first ``st.navigation`` closes it from the start.

Run as ``python -m fieldwork.ui.launch run fieldwork_app.py ...`` (``fieldwork serve`` does).
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
    except (ImportError, AttributeError):  # a Streamlit that no longer has the old mode
        pass
    from streamlit.web.cli import main as streamlit_main

    sys.exit(streamlit_main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
