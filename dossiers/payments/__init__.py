"""Online payment of a dossier's fee: the provider protocol (``vnpay``), the services that start a
payment and take the gateway's notifications, the fee receipt."""
