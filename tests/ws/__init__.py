"""Tests of the OCPP-J WebSocket session layer (ocpp_sansio.ws)."""
