def dong(amount: int) -> str:
    """``50000`` → ``50.000``: an amount in đồng grouped by thousands as official Vietnamese texts write
    it (slips, receipts, notes in a dossier's history), whatever the reader's language."""
    return f"{int(amount):,}".replace(",", ".")
