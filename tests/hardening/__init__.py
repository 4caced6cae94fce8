"""Server hardening audit: each limit exercised over real sockets on 127.0.0.1."""
