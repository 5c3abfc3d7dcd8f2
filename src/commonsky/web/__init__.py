"""The operator's map: the live picture's HTTP/WebSocket API (`commonsky.web.api`) and its static page."""
