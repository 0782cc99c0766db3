"""Web chat on the portal: a chat panel on every page (web/static/webchat.js) talking to this router."""
