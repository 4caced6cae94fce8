"""ocpp-toolkit code generator: reads the OCPP specification data, writes ocpp_sansio/<version>/."""
